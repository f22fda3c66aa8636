"""calibration.json as a record: load, save, the identity without a file, and files that cannot be used."""

import json

import pytest

from qa.calibration import CALIBRATION_FILE, CALIBRATION_VERSION, Calibration, CalibrationError
from qa.modeling import SHIPPED_READER
from qa.reader import ExtractiveReader


def test_the_shipped_file_loads_with_its_notes_kept():
    calibration = Calibration.load(SHIPPED_READER / CALIBRATION_FILE)
    record = json.loads((SHIPPED_READER / CALIBRATION_FILE).read_text())
    assert (calibration.scale, calibration.bias, calibration.threshold) == (
        record["scale"],
        record["bias"],
        record["threshold"],
    )
    assert calibration.version == CALIBRATION_VERSION
    assert set(calibration.extra) == set(record) - {"scale", "bias", "threshold", "fitted_on", "version"}


def test_save_then_load_keeps_everything(tmp_path):
    path = tmp_path / CALIBRATION_FILE
    saved = Calibration(0.4, -3.9, 0.27, fitted_on="tune half", extra={"questions": 1600})
    saved.save(path)
    loaded = Calibration.load(path)
    assert loaded == saved and loaded.extra == {"questions": 1600}
    assert json.loads(path.read_text())["version"] == CALIBRATION_VERSION


def test_identity_without_a_file_or_when_not_calibrated(tmp_path):
    assert Calibration.beside(tmp_path) == Calibration(1.0, 0.0, 0.5)
    Calibration(2.0, 1.0, 0.3).save(tmp_path / CALIBRATION_FILE)
    assert Calibration.beside(tmp_path).threshold == 0.3
    assert Calibration.beside(tmp_path, calibrated=False) == Calibration()
    assert Calibration().confidence(0.0) == 0.5
    assert ExtractiveReader(tmp_path, calibrated=False).calibrated_threshold() == 0.5
    assert ExtractiveReader(tmp_path).calibration().scale == 2.0


@pytest.mark.parametrize(
    "text", ["not json", "[1, 2]", '{"scale": "steep"}', '{"threshold": NaN}', '{"version": 99, "scale": 1}']
)
def test_unusable_files_are_refused_in_one_line(tmp_path, text):
    path = tmp_path / CALIBRATION_FILE
    path.write_text(text)
    with pytest.raises(CalibrationError, match=CALIBRATION_FILE):
        Calibration.load(path)
