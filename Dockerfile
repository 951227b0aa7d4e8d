# syntax=docker/dockerfile:1
# The multi-arch image: built on the builder's own platform and
# cross-compiled for each target (no emulation), a static binary on
# distroless, running as non-root. `make docker` builds linux/amd64 and
# linux/arm64 with buildx and passes VERSION, REVISION and BRANCH.
#
# The build context has no .git (.dockerignore): the revision cannot be read
# inside the build, so it comes in as the REVISION build argument ("unknown"
# without it). VERSION defaults to the VERSION file of the context.
FROM --platform=$BUILDPLATFORM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
ARG VERSION
ARG REVISION=unknown
ARG BRANCH=unknown
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} make build \
      VERSION="${VERSION:-$(cat VERSION)}" REVISION="${REVISION}" BRANCH="${BRANCH}" \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION
ARG REVISION=unknown
LABEL org.opencontainers.image.title="support_exporter" \
      org.opencontainers.image.description="Prometheus exporter of vendor technical-support quality" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="The support_exporter Authors" \
      org.opencontainers.image.url="https://github.com/support-exporter/support_exporter" \
      org.opencontainers.image.documentation="https://github.com/support-exporter/support_exporter/blob/main/docs/install.md" \
      org.opencontainers.image.source="https://github.com/support-exporter/support_exporter"
COPY --from=build /src/support_exporter /bin/support_exporter
COPY --from=build /src/LICENSE /src/NOTICE /
COPY --from=build /src/examples/support_exporter.yml /etc/support_exporter/support_exporter.yml
# The store must be writable by the non-root user (uid 65532 in distroless).
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME /data
USER 65532:65532
EXPOSE 10043
ENTRYPOINT ["/bin/support_exporter"]
CMD ["--config.file=/etc/support_exporter/support_exporter.yml", "--storage.path=/data"]
