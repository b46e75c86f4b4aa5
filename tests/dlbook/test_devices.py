"""dlbook.devices: what the appendix says executed this edition, and what the GPU job checks."""

import keras

from dlbook import devices


def test_devices_reports_this_backend_and_its_devices():
    report = devices.devices()
    assert report["backend"] == keras.config.backend()
    assert report["keras"] == keras.__version__
    assert report["devices"], "a backend sees at least one device"
    kinds = {device["kind"] for device in report["devices"]}
    gpus = [d["name"] for d in report["devices"] if d["kind"] in devices.GPU_KINDS]
    assert report["gpu"] == (gpus[0] if gpus else None)
    assert "cpu" in kinds or gpus


def test_executed_on_names_the_gpu_or_says_cpu_only(monkeypatch):
    monkeypatch.setattr(devices, "devices", lambda: {"gpu": "NVIDIA H200"})
    assert devices.executed_on() == "a GPU (NVIDIA H200)"
    monkeypatch.setattr(devices, "devices", lambda: {"gpu": None})
    assert devices.executed_on() == "the CPU only (no GPU visible)"
