#!/bin/sh
# The image's entry point: the first argument names the service to run, as scripts/stack.ts
# names them; the rest is passed on. Node runs as PID 1 (exec), so SIGTERM from the
# container runtime reaches the service's own handler (drain, then close).
#
#   gateway | crm-subgraph | erp-subgraph | payments-subgraph
#   crm-sandbox | erp-sandbox | payments-sandbox      (the fakes of HubSpot, Odoo, Stripe)
#   graph360 ...                                      (the command-line tool, e.g. `graph360 config check`)
set -eu
service="${1:-gateway}"
[ "$#" -gt 0 ] && shift
case "$service" in
  gateway) entry=gateway/src/index.ts ;;
  crm-subgraph) entry=subgraphs/crm/src/index.ts ;;
  erp-subgraph) entry=subgraphs/erp/src/index.ts ;;
  payments-subgraph) entry=subgraphs/payments/src/index.ts ;;
  crm-sandbox) entry=sandboxes/crm/src/index.ts ;;
  erp-sandbox) entry=sandboxes/erp/src/index.ts ;;
  payments-sandbox) entry=sandboxes/payments/src/index.ts ;;
  graph360) exec node bin/graph360.js "$@" ;;
  *)
    echo "unknown service \"$service\"; one of: gateway crm-subgraph erp-subgraph payments-subgraph crm-sandbox erp-sandbox payments-sandbox graph360" >&2
    exit 64
    ;;
esac
# tsx's ESM loader only, as `npm start` runs the services (scripts/start.ts says why).
exec node --import tsx/esm "$entry" "$@"
