# syntax=docker/dockerfile:1

# Build stage: the same Maven and JDK major the project compiles with (release 17).
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first, in their own layer: it is rebuilt only when pom.xml changes.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
# The tests need nginx, Caddy and Redis, which this image lacks; CI runs them before the image is built. They are
# compiled all the same: the training run below drives the jar with the benchmark rig and its stand-in IdP.
RUN mvn -B -DskipTests package dependency:copy-dependencies -DincludeScope=test -DoutputDirectory=target/training-lib

# Runtime: a JRE only, no build tools. Java 17 with an AppCDS archive of a training run: in benchmark 6 of
# BENCHMARKS.md (run of 2026-12-01 16:14) it was ready as soon as Java 25 with an AOT cache (733 vs 702 ms) and served
# the auth path 1.5x faster in its first 10 s and warm (48,525 and 57,920 req/s against 32,396 and 37,702).
FROM eclipse-temurin:17.0.15_6-jre-noble
LABEL org.opencontainers.image.title="aks-auth-proxy" \
      org.opencontainers.image.description="Forward-auth for AKS ingress: Entra ID sign-in, encrypted cookie sessions, per-user AKS tokens"
# A named user for uid 65532, the uid the helm chart runs as (distroless's "nonroot").
RUN groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nonroot
WORKDIR /app
COPY --from=build /build/target/aks-auth-proxy.jar /app/aks-auth-proxy.jar
# The training run, with this image's own java (an AppCDS archive is specific to the JDK build and the jar's path):
# the benchmark rig starts the jar against the test suite's stand-in IdP on loopback (no Entra, no network), signs in
# for real, calls /oauth2/auth, and stops it; the JVM writes the archive of the classes it loaded as it exits (on top
# of the JRE's default CDS archive, which the official image generates). The rig, the stand-in and their logs are mounted or in /tmp, never in the image.
RUN --mount=type=bind,from=build,source=/build/target,target=/training \
    cd /tmp \
 && java -cp "/training/test-classes:/training/classes:/training/training-lib/*" io.github.aksauthproxy.bench.StartupBench \
      --train /app/aks-auth-proxy.jsa --jar /app/aks-auth-proxy.jar \
 && rm -rf /tmp/target
USER 65532:65532
# 4180: browsers (/oauth2/start, /oauth2/callback, ...). 4181: /oauth2/auth, /healthz, /readyz, /metrics.
EXPOSE 4180 4181
# Heap sized from the container's memory limit (55%: the rest is for what the JVM keeps outside the heap,
# about 180 MiB at peak in benchmark 5, so the chart's 512Mi limit holds with 100,000 sessions); an OutOfMemoryError ends the process so the kubelet
# restarts it instead of leaving a half-working JVM behind. The archive holds the classes of the training run, parsed
# and verified; a JVM that cannot use it starts without it, slower.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=55", "-XX:+ExitOnOutOfMemoryError", "-XX:SharedArchiveFile=/app/aks-auth-proxy.jsa", "-jar", "/app/aks-auth-proxy.jar"]
CMD ["serve"]
