# syntax=docker/dockerfile:1
# score-serve in a container (issue 21, point 5). Two stages: `build` installs the workspace and
# builds @score/inference and the libraries it uses; the runtime stage keeps the production
# dependencies and the built packages only, runs as the non-root `node` user (uid 1000), reads the run folder
# from a volume and answers its probes on /healthz (alive) and /readyz (models loaded).
#
#   docker build -t score-serve .
#   docker run --rm -p 8080:8080 -v "$PWD/runs/score:/srv/score/run:ro" score-serve
#   docker run ... score-serve --run /srv/score/run --host 0.0.0.0 --port 8080 --llm openai:URL#MODEL
#
# What was and was not tested: deploy/README.md. Pin NODE_IMAGE to a digest for reproducible builds.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false CI=true
COPY . .
# The image's npm (10) ignores package.json "allowScripts": install with scripts off, then run
# the install scripts of exactly the packages that list allows (the repository's policy).
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild esbuild nx protobufjs \
 && npx nx run @score/inference:build --output-style=stream \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf apps/*/src apps/*/bench libs/*/src tools .nx node_modules/.cache

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the service user.
COPY --from=build /src /app
RUN mkdir -p /srv/score/run && chown 1000:1000 /srv/score/run
# uid 1000 is the image's `node` user.
USER 1000:1000
VOLUME ["/srv/score/run"]
EXPOSE 8080
# Liveness only: /healthz answers as soon as the server listens; /readyz (models loaded, not
# shutting down) is for load balancers and Kubernetes' readinessProbe.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/apps/inference/bin/score-serve.js"]
CMD ["--run", "/srv/score/run", "--host", "0.0.0.0", "--port", "8080", "--timeout-ms", "30000"]
