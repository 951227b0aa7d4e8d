# syntax=docker/dockerfile:1
# Multi-stage build: a static binary on distroless, running as non-root.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=0.1.0
RUN make build VERSION=${VERSION} && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="support_exporter" \
      org.opencontainers.image.description="Prometheus exporter of vendor technical-support quality" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/support-exporter/support_exporter"
COPY --from=build /src/support_exporter /bin/support_exporter
# The store must be writable by the non-root user (uid 65532 in distroless).
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
USER 65532:65532
EXPOSE 10043
ENTRYPOINT ["/bin/support_exporter"]
CMD ["--config.file=/etc/support_exporter/support_exporter.yml", "--storage.path=/data"]
