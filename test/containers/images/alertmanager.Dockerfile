# CI stand-in for prom/alertmanager: Debian's alertmanager as scripts/get-tools.sh unpacked it
# (its binary reads the default templates through fd 9, which /bin/alertmanager opens), laid out
# like the official image: /etc/alertmanager and /alertmanager owned by nobody, wget for the
# compose healthcheck (in the Debian base).
ARG BASE
FROM ${BASE}
COPY root/ /opt/alertmanager/
COPY alertmanager amtool /bin/
RUN mkdir -p /alertmanager /etc/alertmanager && chown -R nobody:nogroup /alertmanager /etc/alertmanager
USER nobody
WORKDIR /alertmanager
EXPOSE 9093 9094
VOLUME ["/alertmanager"]
ENTRYPOINT ["/bin/alertmanager"]
CMD ["--config.file=/etc/alertmanager/alertmanager.yml", "--storage.path=/alertmanager"]
