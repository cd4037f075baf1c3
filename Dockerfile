# syntax=docker/dockerfile:1
#
# llm-simulator as a container image: a static binary on distroless, run as
# an unprivileged user.
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t llm-simulator:local .
#   docker run --rm -p 8080:8080 llm-simulator:local
#
# NOT BUILT HERE. The machine this project is developed and tested on has no
# container runtime (no Docker daemon) and no access to container
# registries, so this file has never been built by us. What was checked
# instead: cmd/llm-simulator/dockerfile_test.go keeps the build command
# below equal to the Makefile's (package path, -trimpath, ldflags) with
# CGO_ENABLED=0, checks that no dependency needs cgo, that the default
# command's flags load the embedded config with the proxy on 0.0.0.0:8080
# and the admin API on loopback, that EXPOSE matches and leaves the admin
# port out, that no token is baked in, that the user is not root, and that
# .dockerignore keeps every file the build needs. The same
# `CGO_ENABLED=0 go build -trimpath` was run by hand and gave a statically
# linked, stripped ELF binary.

# The Go release go.mod asks for: an older image would fetch this toolchain
# at build time, a newer one is not needed.
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# .git is not sent (.dockerignore), so the version comes in as an argument,
# as the Makefile's VERSION does.
ARG VERSION=dev
# Static (CGO_ENABLED=0): the runtime image has no C library.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/llm-simulator ./cmd/llm-simulator

# distroless static: CA certificates (for forwarding to the real providers
# over HTTPS), /etc/passwd with the nonroot user, tzdata, and no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/llm-simulator /llm-simulator
# Numeric, so Kubernetes' runAsNonRoot can verify it without a passwd
# lookup; 65532 is distroless's nonroot. Its home, /home/nonroot, is where
# the embedded config keeps the interception CA it creates on first run.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/llm-simulator"]
# The embedded default config listens on 127.0.0.1, which nothing outside
# the container can reach: the proxy moves to every interface. The admin
# API stays on the container's loopback, unpublished, so only
# `docker exec CONTAINER /llm-simulator ctl status` reaches it; no token is
# baked into the image. To reach it from outside, give it a token from a
# secret file (a Docker or Kubernetes secret, never an image layer or a
# build argument) and listen off loopback, which it refuses without one.
# The file is the image user's alone:
#
#   openssl rand -hex 32 >admin-token && chmod 0400 admin-token && sudo chown 65532 admin-token
#   docker run --rm -p 8080:8080 -p 127.0.0.1:9090:9090 \
#     -v "$PWD/admin-token:/run/secrets/llm-simulator-admin-token:ro" \
#     -e LLMSIM_ADMIN_TOKEN_FILE=/run/secrets/llm-simulator-admin-token \
#     llm-simulator:local --listen=0.0.0.0:8080 --admin-listen=0.0.0.0:9090
#
# The admin API then answers only calls carrying the token, by IP address
# or localhost (other names: admin.allowed_hosts in a config), with no
# Origin header but its own (admin.allowed_origins).
CMD ["--listen=0.0.0.0:8080"]
