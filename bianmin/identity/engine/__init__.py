"""Face-verification engine for 刷脸办 (numpy, dlib and onnxruntime; no Django).

Public API::

    from bianmin.identity import engine
    template = engine.enroll(photo_bytes)                 # -> Template (raises FaceEngineError)
    blob = template.to_bytes()                            # encrypt and store
    template = engine.Template.from_bytes(blob)
    thresholds = engine.ThresholdConfig.load()            # calibration.json
    result = engine.verify(template, frames, threshold_config=thresholds)
    report = engine.check_frame(frame)                    # live quality hints (Chinese)
    engine.warm_up()                                      # load the models ahead of a check
"""

from .base import EyeLandmarker, Face, FaceModel, Template, raw_similarity
from .cohort import Cohort, s_norm, z_norm
from .dlib_model import DlibFaceModel, DlibPipeline, default_eye_landmarker, default_model
from .errors import (
    EnrollmentError,
    FaceEngineError,
    ImageError,
    LivenessConfigError,
    TemplateError,
)
from .imaging import decode_image
from .liveness import LivenessConfig, LivenessResult, check_liveness, eye_aspect_ratio
from .messages import MESSAGES, message
from .quality import Problem, QualityReport, QualityThresholds, assess, yaw_ratio
from .verification import (
    CALIBRATION_PATH,
    ThresholdConfig,
    Verification,
    check_frame,
    enroll,
    verify,
    warm_up,
)

__all__ = [
    "CALIBRATION_PATH",
    "MESSAGES",
    "Cohort",
    "DlibFaceModel",
    "DlibPipeline",
    "EnrollmentError",
    "EyeLandmarker",
    "Face",
    "FaceEngineError",
    "FaceModel",
    "ImageError",
    "LivenessConfig",
    "LivenessConfigError",
    "LivenessResult",
    "Problem",
    "QualityReport",
    "QualityThresholds",
    "Template",
    "TemplateError",
    "ThresholdConfig",
    "Verification",
    "assess",
    "check_frame",
    "check_liveness",
    "decode_image",
    "default_eye_landmarker",
    "default_model",
    "enroll",
    "eye_aspect_ratio",
    "message",
    "raw_similarity",
    "s_norm",
    "verify",
    "warm_up",
    "yaw_ratio",
    "z_norm",
]
