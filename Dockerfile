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

# Runtime: a JRE only, no build tools. The jar targets Java 17; the image runs it on Java 25 with an AOT cache
# (bench/README.md, benchmark 6: the runtime that started fastest and warmed up soonest, compact object headers for
# a smaller footprint).
FROM eclipse-temurin:25.0.3_9-jre-noble
LABEL org.opencontainers.image.title="aks-auth-proxy" \
      org.opencontainers.image.description="Forward-auth for AKS ingress: Entra ID sign-in, encrypted cookie sessions, per-user AKS tokens"
# A named user for uid 65532, the uid the helm chart runs as (distroless's "nonroot").
RUN groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nonroot
WORKDIR /app
COPY --from=build /build/target/aks-auth-proxy.jar /app/aks-auth-proxy.jar
# The training run, with this image's own java and the ENTRYPOINT's flags (an AOT cache is specific to the JDK build,
# the jar's path and flags such as compact object headers): the benchmark rig starts the jar against the test suite's
# stand-in IdP on loopback (no Entra, no network), signs in for real, calls /oauth2/auth, and stops it; the JVM
# writes the AOT cache as it exits. The rig, the stand-in and their logs are mounted or in /tmp, never in the image.
RUN --mount=type=bind,from=build,source=/build/target,target=/training \
    cd /tmp \
 && java -cp "/training/test-classes:/training/classes:/training/training-lib/*" io.github.aksauthproxy.bench.StartupBench \
      --train /app/aks-auth-proxy.aot --jar /app/aks-auth-proxy.jar --java-opts "-XX:+UseCompactObjectHeaders" \
 && rm -rf /tmp/target
USER 65532:65532
# 4180: browsers (/oauth2/start, /oauth2/callback, ...). 4181: /oauth2/auth, /healthz, /readyz, /metrics.
EXPOSE 4180 4181
# Heap sized from the container's memory limit (55%: the rest is for what the JVM keeps outside the heap,
# about 180 MiB at peak in benchmark 5, so the chart's 512Mi limit holds with 100,000 sessions); an OutOfMemoryError ends the process so the kubelet
# restarts it instead of leaving a half-working JVM behind. The AOT cache holds the classes, linked, and the method
# profiles of the training run; a JVM that cannot use it (other heap-layout flags in JAVA_TOOL_OPTIONS) starts without.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=55", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseCompactObjectHeaders", "-XX:AOTCache=/app/aks-auth-proxy.aot", "-jar", "/app/aks-auth-proxy.jar"]
CMD ["serve"]
