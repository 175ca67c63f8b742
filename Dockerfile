# LLM gateway image: a Maven build stage, then a JRE-only runtime stage with the shaded jar and a config.
#   docker build -t llm-gateway .
#   docker run --rm -p 8080:8080 -e GATEWAY_API_KEY=... [-e OPENAI_API_KEY=...] llm-gateway
# The base images are build args, so a mirror or a local stand-in can replace them (scripts/docker-build).
ARG BUILD_IMAGE=eclipse-temurin:21-jdk
ARG RUNTIME_IMAGE=eclipse-temurin:21-jre

FROM ${BUILD_IMAGE} AS build
# Extra Maven flags (e.g. -o for an offline build against a mounted ~/.m2); Maven 3.9 reads MAVEN_ARGS itself.
ARG MAVEN_ARGS=""
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -pl gateway-netty -am package -DskipTests

FROM ${RUNTIME_IMAGE}
# A fixed uid, so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --gid 10001 gateway \
 && useradd --uid 10001 --gid gateway --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin gateway
COPY --from=build /src/gateway-netty/target/llm-gateway.jar /opt/llm-gateway/llm-gateway.jar
COPY deploy/config.toml /etc/llm-gateway/config.toml
# A class-data archive of the classes the gateway loads, recorded by a training run (start on a free loopback
# port, warm up, stop) in this very runtime image: an archive fits only the JVM that wrote it. Every start maps it
# instead of loading and verifying those classes (the entrypoint's -XX:SharedArchiveFile).
RUN GATEWAY_API_KEY=training-run-not-a-secret java -XX:ArchiveClassesAtExit=/opt/llm-gateway/llm-gateway.jsa -XX:+UseSerialGC \
      -jar /opt/llm-gateway/llm-gateway.jar --config /etc/llm-gateway/config.toml --warmup-and-exit \
 && chmod 444 /opt/llm-gateway/llm-gateway.jsa
USER 10001:10001
# Serial GC: one event loop per core and a small heap, where it costs the least memory and threads; the heap starts
# small and may grow to a share of the container's memory limit, leaving room for Netty's direct buffers,
# metaspace and code. An out-of-memory error ends the process so the orchestrator restarts it. Event loops follow
# the CPU limit. Set the variable to replace these flags (README: Deployment, JVM).
ENV JDK_JAVA_OPTIONS="-XX:+UseSerialGC -Xms16m -XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${LLM_GATEWAY__SERVER__PORT:-8080}/health" || exit 1
# Exec form: java is PID 1 and gets SIGTERM itself, which starts the graceful drain (exit 0 when drained).
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/opt/llm-gateway/llm-gateway.jsa", "-jar", "/opt/llm-gateway/llm-gateway.jar", \
            "--config", "/etc/llm-gateway/config.toml"]
