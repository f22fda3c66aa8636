"""Offline extractive question answering over documents."""

import os

# Never phone home: no model hub, no analytics, no version check; everything this package loads lies on local disk.
# Set here, the one place, on the first import of anything in qa: ``qa serve`` gets there before it imports gradio,
# transformers or huggingface_hub, which read these at import time. Set outright, so no environment turns it online.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
os.environ.update(OFFLINE_ENV)
