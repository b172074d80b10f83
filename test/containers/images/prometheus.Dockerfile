# CI stand-in for prom/prometheus: Debian's prometheus binary (the one scripts/get-tools.sh
# fetched) laid out like the official image: /bin/prometheus as entrypoint, data in /prometheus
# owned by nobody, wget for the compose healthcheck (in the Debian base).
ARG BASE
FROM ${BASE}
COPY prometheus promtool /bin/
RUN mkdir -p /prometheus /etc/prometheus && chown -R nobody:nogroup /prometheus /etc/prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
VOLUME ["/prometheus"]
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
