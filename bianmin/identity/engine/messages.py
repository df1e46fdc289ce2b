"""User-facing Chinese messages of the face engine, keyed by machine code.

All text shown to citizens or staff lives here as plain strings so that it can be
reviewed (and later translated) in one place. Codes are stable English identifiers.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # Input / decoding errors.
    "empty_image": "未收到照片，请重新拍摄或上传",
    "not_an_image": "文件不是可识别的图片，请上传 JPEG 或 PNG 照片",
    "unsupported_format": "图片格式不受支持，请上传 JPEG 或 PNG 照片",
    "truncated_image": "图片文件不完整（可能上传中断），请重新上传",
    "corrupt_image": "图片已损坏，无法读取，请重新拍摄或上传",
    "file_too_large": "图片文件过大（超过 8 MB），请压缩后重新上传",
    "image_too_large": "图片分辨率过高（超过 1200 万像素），请缩小后重新上传",
    "image_too_small": "图片分辨率过低，请上传更清晰的照片",
    # Face presence.
    "no_face": "未检测到人脸，请正对摄像头并露出完整面部",
    "multiple_faces": "画面中有多张人脸，请确保画面中只有本人",
    "face_too_small": "人脸太小，请靠近一些",
    # Quality guidance for live frames.
    "move_closer": "请靠近一些",
    "move_back": "请离远一些",
    "face_not_centered": "请将面部移到画面中央",
    "turn_to_camera": "请正对摄像头",
    "too_dark": "光线太暗",
    "too_bright": "光线太亮，请避开强光",
    "low_contrast": "画面对比度过低，请调整光线",
    "blurry": "画面模糊，请保持不动",
    # Liveness.
    "liveness_too_few_frames": "采集的画面太少，请重新进行活体检测",
    "liveness_face_lost": "检测过程中人脸丢失，请保持面部在画面中",
    "liveness_no_blink": "未检测到眨眼动作，请按提示眨眼",
    "liveness_no_turn": "未检测到转头动作，请按提示缓慢左右转头",
    "liveness_static": "画面静止不动，疑似照片，请本人按提示完成动作",
    "liveness_blink_disabled": "眨眼检测未启用，请使用转头检测",
    # Templates / verification.
    "template_invalid": "人脸模板数据无效，请重新采集",
    "template_version_mismatch": "人脸模板版本与当前算法不一致，请重新采集人脸",
    "no_usable_frame": "没有可用的画面，请按提示调整后重试",
}


def message(code: str) -> str:
    """Return the Chinese message for ``code`` (the code itself if unknown)."""
    return MESSAGES.get(code, code)
