# syntax=docker/dockerfile:1

# Build stage: the same Maven and JDK major the project compiles with (release 17).
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /build
# Dependencies first, in their own layer: it is rebuilt only when pom.xml changes.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY src ./src
# The tests need nginx, Caddy and Redis, which this image lacks; CI runs them before the image is built.
RUN mvn -B -DskipTests package

# Runtime: a JRE only, no build tools. The jar targets Java 17 and runs on 21.
FROM eclipse-temurin:21.0.8_9-jre-noble
LABEL org.opencontainers.image.title="aks-auth-proxy" \
      org.opencontainers.image.description="Forward-auth for AKS ingress: Entra ID sign-in, encrypted cookie sessions, per-user AKS tokens"
# A named user for uid 65532, the uid the helm chart runs as (distroless's "nonroot").
RUN groupadd --system --gid 65532 nonroot \
 && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin nonroot
WORKDIR /app
COPY --from=build /build/target/aks-auth-proxy.jar /app/aks-auth-proxy.jar
USER 65532:65532
# 4180: browsers (/oauth2/start, /oauth2/callback, ...). 4181: /oauth2/auth, /healthz, /readyz, /metrics.
EXPOSE 4180 4181
# Heap sized from the container's memory limit; an OutOfMemoryError ends the process so the kubelet
# restarts it instead of leaving a half-working JVM behind.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/aks-auth-proxy.jar"]
CMD ["serve"]
