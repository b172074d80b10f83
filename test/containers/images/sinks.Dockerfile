# The SMTP catcher and Telegram stand-in of test/support/, bundled into one file
# (test/containers/sinks/main.ts), on the local Node base. `/mailpit readyz` answers the
# healthcheck the shipped compose file gives the mailpit service.
ARG BASE
FROM ${BASE}
COPY main.mjs /sinks/main.mjs
RUN printf '#!/bin/sh\nexec node /sinks/main.mjs "$@"\n' >/mailpit && chmod +x /mailpit
EXPOSE 1025 443 8025
ENTRYPOINT ["node", "/sinks/main.mjs"]
CMD ["smtp"]
