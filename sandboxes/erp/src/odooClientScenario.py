"""The reference client: Python's standard xmlrpc.client, used exactly as Odoo's
"External API" documentation uses it, against the ERP sandbox.

Usage: python3 odooClientScenario.py URL DB USERNAME PASSWORD
Prints one JSON object with what each step returned (or the fault it raised), for
erpSandbox.python.test.ts to assert on.
"""
import json
import sys
import xmlrpc.client

url, db, username, password = sys.argv[1:5]
out = {}


def fault_of(call):
    try:
        return {"returned": call()}
    except xmlrpc.client.Fault as fault:
        return {"faultCode": fault.faultCode, "faultString": fault.faultString}


common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
out["version"] = common.version()
uid = common.authenticate(db, username, password, {})
out["uid"] = uid
out["bad_login"] = common.authenticate(db, username, "wrong password", {})

models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
out["partners"] = models.execute_kw(
    db, uid, password, "res.partner", "search_read", [[["is_company", "=", True]]], {"fields": ["name", "ref"], "limit": 5}
)
out["partner_count"] = models.execute_kw(db, uid, password, "res.partner", "search_count", [[["is_company", "=", True]]])
# fields passed positionally, as the documentation also shows for read.
out["partner_read"] = models.execute_kw(db, uid, password, "res.partner", "read", [[1, 2], ["name", "ref", "country_id"]])

refs = [p["ref"] for p in out["partners"][:2]]
partner_ids = models.execute_kw(db, uid, password, "res.partner", "search", [[["ref", "in", refs]]])
out["partner_ids_by_ref"] = partner_ids
out["orders_or"] = models.execute_kw(
    db,
    uid,
    password,
    "sale.order",
    "search_read",
    [["|", ["partner_id", "in", partner_ids], ["name", "=", "S00001"]]],
    {"fields": ["name", "partner_id", "amount_total", "currency_id", "order_line", "date_order"], "order": "id"},
)

new_id = models.execute_kw(
    db,
    uid,
    password,
    "sale.order",
    "create",
    [{"partner_id": partner_ids[0], "client_order_ref": "PY-1", "order_line": [[0, 0, {"product_id": 1, "product_uom_qty": 2}], [0, 0, {"product_id": 2, "product_uom_qty": 1, "price_unit": 12.5}]]}],
)
out["created_id"] = new_id
out["write"] = models.execute_kw(db, uid, password, "sale.order", "write", [[new_id], {"state": "sale", "client_order_ref": "PY-2"}])
out["created"] = models.execute_kw(
    db, uid, password, "sale.order", "read", [[new_id]], {"fields": ["name", "state", "client_order_ref", "amount_total", "order_line", "partner_id"]}
)
out["created_lines"] = models.execute_kw(
    db, uid, password, "sale.order.line", "search_read", [[["order_id", "=", new_id]]], {"fields": ["product_id", "product_uom_qty", "price_unit", "price_subtotal"], "order": "id"}
)
out["product_fields"] = models.execute_kw(db, uid, password, "product.product", "fields_get", [], {"attributes": ["string", "type", "relation"]})

out["bad_credentials"] = fault_of(lambda: models.execute_kw(db, uid, "not the password", "res.partner", "search", [[]]))
out["unknown_model"] = fault_of(lambda: models.execute_kw(db, uid, password, "no.such.model", "search", [[]]))
out["bad_domain"] = fault_of(lambda: models.execute_kw(db, uid, password, "res.partner", "search", [[["name", "bogus", "x"]]]))
out["unknown_field"] = fault_of(lambda: models.execute_kw(db, uid, password, "res.partner", "search_read", [[]], {"fields": ["nope"]}))

print(json.dumps(out))
