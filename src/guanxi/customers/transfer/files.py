"""HTTP answers that carry an export file: CSV streamed row by row, XLSX written in one go (small exports only)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from guanxi.core.models import Job
from guanxi.customers.transfer import readers, services


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(rows: Iterator[list[str]]) -> Iterator[bytes]:
    """CSV bytes, UTF-8 with a BOM so that Excel opens Chinese text correctly, one row at a time."""
    writer = csv.writer(_Echo())
    yield services.UTF8_BOM.encode()
    for row in rows:
        yield writer.writerow(row).encode()


def export_response(rows: Iterator[list[str]], fmt: str) -> HttpResponse:
    filename = services.export_filename(fmt)
    response: HttpResponse
    if fmt == readers.XLSX:
        buffer = io.BytesIO()
        services.write_export(buffer, rows, fmt)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = StreamingHttpResponse(stream_csv(rows), content_type="text/csv; charset=utf-8")  # type: ignore[assignment]
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def job_file_response(job: Job) -> HttpResponseBase:
    """The file a job wrote, as a download (404 if it wrote none)."""
    if not job.output_file or not job.output_file.name:
        raise Http404
    response = FileResponse(
        job.output_file.open("rb"), as_attachment=True, filename=os.path.basename(job.output_file.name)
    )
    response["Cache-Control"] = "no-store"
    return response
