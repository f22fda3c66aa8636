"""How the reader's margins become confidences: the fit in ``calibration.json`` beside the reader's weights.

Written by ``eval.tools.tune_reading`` (``fit_calibration``) and read by ``qa.reader.ExtractiveReader``.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from index.errors import QAError
from index.files import write_atomic
from qa.decoding import confidence

CALIBRATION_FILE = "calibration.json"
CALIBRATION_VERSION = 1  # a file without "version" was written before versioning, in the same format


class CalibrationError(QAError):
    """A calibration file that cannot be used."""


@dataclass(frozen=True)
class Calibration:
    """``confidence = sigmoid(scale * margin + bias)``; the pipeline abstains below ``threshold``.

    The defaults are the identity: scale 1, bias 0, threshold 0.5, the point where the model rates
    "this span" and "no answer here" equally likely. ``extra`` keeps any other keys of the file (notes
    on the fit, such as how many questions it saw), so a load and save loses nothing.
    """

    scale: float = 1.0
    bias: float = 0.0
    threshold: float = 0.5
    fitted_on: str = ""
    version: int = CALIBRATION_VERSION
    extra: dict = field(default_factory=dict, compare=False)

    def confidence(self, margin: float) -> float:
        return confidence(self.scale * margin + self.bias)

    def save(self, path: str | Path) -> None:
        record = {k: v for k, v in asdict(self).items() if k != "extra"} | self.extra
        write_atomic(path, json.dumps(record, indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
            known = {f.name for f in fields(cls)} - {"extra"}
            version = int(record.get("version", CALIBRATION_VERSION))
            calibration = cls(
                **{key: float(record[key]) for key in ("scale", "bias", "threshold") if key in record},
                fitted_on=str(record.get("fitted_on", "")),
                version=version,
                extra={key: value for key, value in record.items() if key not in known},
            )
        except (OSError, ValueError, TypeError, AttributeError) as err:
            raise CalibrationError(f"{path}: not a usable calibration file: {err}") from err
        if version > CALIBRATION_VERSION:
            raise CalibrationError(f"{path}: calibration format {version}; this code reads up to {CALIBRATION_VERSION}")
        if not all(math.isfinite(v) for v in (calibration.scale, calibration.bias, calibration.threshold)):
            raise CalibrationError(f"{path}: scale, bias and threshold must be finite numbers")
        return calibration

    @classmethod
    def beside(cls, model_dir: str | Path, calibrated: bool = True) -> Calibration:
        """The fit saved with the weights in ``model_dir``; the identity without one or when not ``calibrated``."""
        path = Path(model_dir) / CALIBRATION_FILE
        return cls.load(path) if calibrated and path.is_file() else cls()
