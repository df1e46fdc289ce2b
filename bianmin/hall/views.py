from django.http import FileResponse, Http404, HttpRequest, HttpResponse

from bianmin.hall.voice import announcement_wav


def voice(request: HttpRequest, number: str, window: int) -> HttpResponse:
    """The announcement as WAV (espeak-ng, cached); 404 where espeak-ng is missing."""
    path = announcement_wav(number=number.upper(), window_number=window)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type="audio/wav")
    response["Cache-Control"] = "public, max-age=86400"
    return response
