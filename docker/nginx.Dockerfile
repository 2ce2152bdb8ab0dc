# syntax=docker/dockerfile:1
# The front door of the compose stack: the official nginx image with DataMigrate's nginx.conf and
# the first-start certificate script. Build from the repository root:
#   docker build -f docker/nginx.Dockerfile -t datamigrate-nginx:0.1.0 .
ARG NGINX_IMAGE=nginx:1.28-alpine
FROM ${NGINX_IMAGE}
# openssl: the self-signed certificate on first start; curl: the compose healthcheck.
RUN apk add --no-cache openssl curl
COPY nginx.conf /etc/nginx/nginx.conf
# The official image's entrypoint runs /docker-entrypoint.d/*.sh before starting nginx.
COPY docker/nginx-selfsigned.sh /docker-entrypoint.d/40-datamigrate-selfsigned.sh
RUN chmod 0755 /docker-entrypoint.d/40-datamigrate-selfsigned.sh && mkdir -p /etc/nginx/certs
VOLUME ["/etc/nginx/certs"]
EXPOSE 80 443
