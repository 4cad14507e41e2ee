# CPU image: the README install, step for step (CPU torch first, then the project).
FROM python:3.11-slim

# A CPU build of torch: point TORCH_INDEX_URL at PyTorch's CPU wheel index when building
# outside a machine whose pip already serves the CPU wheel (a plain PyPI torch is a CUDA build).
ARG TORCH_INDEX_URL=""
ENV PIP_NO_CACHE_DIR=1 ANCOLS_DATA_DIR=/data

WORKDIR /app
# Scanned PDF pages are read by Tesseract (French data), as the README's install says.
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-fra \
    && rm -rf /var/lib/apt/lists/*
RUN pip install torch==2.13.0 ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
COPY pyproject.toml README.md __init__.py ./
COPY pipelines ./pipelines
COPY models ./models
COPY index ./index
COPY service ./service
RUN pip install '.[ray]'

VOLUME /data
EXPOSE 8000
CMD ["ancols", "serve", "--host", "0.0.0.0", "--port", "8000"]
