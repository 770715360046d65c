# Roster: one image for every role (`roster run | serve | worker | migrate`).

FROM node:20-bookworm-slim AS admin
WORKDIR /src/web-admin
COPY web-admin/package.json web-admin/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web-admin/ ./
RUN npm run build

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p roster

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/roster roster \
    && mkdir -p /var/lib/roster && chown roster /var/lib/roster
COPY --from=build /src/target/release/roster /usr/local/bin/roster
COPY --from=admin /src/web-admin/dist /usr/share/roster/admin
ENV ROSTER_LISTEN=0.0.0.0:8080 \
    ROSTER_DATA_DIR=/var/lib/roster \
    ROSTER_ADMIN_DIR=/usr/share/roster/admin
USER roster
EXPOSE 8080
ENTRYPOINT ["roster"]
CMD ["run"]
