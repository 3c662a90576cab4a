from despina.integrations.utils import require_installed

require_installed("transformers")

from transformers.integrations import NeptuneCallback  # noqa: E402,F401
