"""Suite-wide set-up: secrets and keys go to a throwaway config folder, never the developer's own."""

import os
import tempfile

os.environ["POS_RETURNS_CONFIG"] = tempfile.mkdtemp(prefix="pos-returns-config-")
os.environ.pop("POS_RETURNS_SECRET", None)
