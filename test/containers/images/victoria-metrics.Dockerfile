# Debian's victoria-metrics (single node) as the long-term store of the remote_write example
# (prometheus/examples/remote-write.yml). Installed from Debian's archive during the build
# (scripts/docker-images.sh builds with --network host).
ARG BASE
FROM ${BASE}
RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends victoria-metrics \
 && rm -rf /var/lib/apt/lists/* && victoria-metrics -version
EXPOSE 8428
ENTRYPOINT ["victoria-metrics"]
