"""Test-wide settings: notebooks rerun by nbval inherit this environment, so their progress bars
stay off, as they are in the stored outputs they are compared with."""

import os

os.environ["LSTM_COURSE_PROGRESS"] = "0"
