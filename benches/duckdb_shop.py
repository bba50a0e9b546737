"""DuckDB yardsticks for the whole-run figures in benches/README.md.

    python3 benches/duckdb_shop.py basic SHOP_DIR OUT.csv   # orders.csv alone, basic aggregates
    python3 benches/duckdb_shop.py full  SHOP_DIR OUT.csv   # every table, per-contact profile
    python3 benches/duckdb_shop.py inmem SHOP_DIR [N]       # basic aggregates of orders in memory

`basic` is the issue's yardstick: count, revenue, first, last, last amount and distinct days
per customer_id of orders.csv. `full` does the work a relance run does on the same files:
all five tables read, orders joined to their customer (the contact is the normalised email
of the customer, else of the guest order) and delivery, carts and logins joined to their
customer, aggregated per contact, joined to the customer's own fields. It has fewer
columns than relance's profiles but the same tables and joins, and as many rows.
`inmem` is the yardstick of the consolidation's own time: orders.csv loaded once into an
in-memory table, then the basic aggregates computed into a table N times (default 3); prints
`duckdb aggregates: <median> s` (and each time) to stderr.
Needs `pip install duckdb`.
"""
import sys

import duckdb

BASIC = """
COPY (
  SELECT customer_id, count(*) AS orders, sum(amount) AS revenue,
         min(placed_at) AS first_at, max(placed_at) AS last_at,
         arg_max(amount, placed_at) AS last_amount,
         count(DISTINCT CAST(placed_at AS DATE)) AS days
  FROM read_csv('{d}/orders.csv', header=true)
  GROUP BY customer_id
) TO '{out}' (HEADER)
"""

FULL = """
COPY (
WITH c AS (SELECT * FROM read_csv('{d}/customers.csv', header=true)),
o AS (SELECT * FROM read_csv('{d}/orders.csv', header=true)),
dl AS (SELECT * FROM read_csv('{d}/deliveries.csv', header=true)),
ca AS (SELECT * FROM read_csv('{d}/carts.csv', header=true)),
l AS (SELECT * FROM read_csv('{d}/logins.csv', header=true)),
ord AS (
  SELECT lower(trim(coalesce(c.email, o.email))) AS contact, o.amount, o.refunded_amount,
         o.placed_at, o.status, dl.delivered_at
  FROM o LEFT JOIN c ON o.customer_id = c.customer_id
         LEFT JOIN dl ON o.order_id = dl.order_id
),
oa AS (
  SELECT contact, count(*) AS orders, sum(amount) AS revenue,
         sum(refunded_amount) AS refunded, min(placed_at) AS first_at,
         max(placed_at) AS last_at, arg_max(amount, placed_at) AS last_amount,
         count(DISTINCT CAST(placed_at AS DATE)) AS days,
         max(delivered_at) AS last_delivered,
         count(*) FILTER (WHERE status = 'cancelled') AS cancelled
  FROM ord GROUP BY contact
),
cart AS (
  SELECT lower(trim(coalesce(c.email, ca.email))) AS contact, count(*) AS carts,
         max(ca.updated_at) AS last_cart_at,
         count(*) FILTER (WHERE ca.converted_order_id IS NULL) AS open_carts
  FROM ca LEFT JOIN c ON ca.customer_id = c.customer_id GROUP BY 1
),
lg AS (
  SELECT lower(trim(c.email)) AS contact, count(*) AS logins, max(l.at) AS last_login
  FROM l JOIN c ON l.customer_id = c.customer_id GROUP BY 1
),
cu AS (
  SELECT lower(trim(email)) AS contact, any_value(first_name) AS first_name,
         any_value(last_name) AS last_name, any_value(phone) AS phone,
         any_value(postcode) AS postcode, any_value(newsletter_optin) AS optin,
         min(signed_up_at) AS signed_up_at
  FROM c GROUP BY 1
)
SELECT * FROM cu
  FULL OUTER JOIN oa USING (contact)
  FULL OUTER JOIN cart USING (contact)
  FULL OUTER JOIN lg USING (contact)
) TO '{out}' (HEADER)
"""

AGGREGATE = """
CREATE OR REPLACE TABLE r AS
  SELECT customer_id, count(*) AS orders, sum(amount) AS revenue,
         min(placed_at) AS first_at, max(placed_at) AS last_at,
         arg_max(amount, placed_at) AS last_amount,
         count(DISTINCT CAST(placed_at AS DATE)) AS days
  FROM o GROUP BY customer_id
"""


def in_memory(shop, repeat):
    import statistics
    import time

    con = duckdb.connect()
    con.execute(f"CREATE TABLE o AS SELECT * FROM read_csv('{shop}/orders.csv', header=true)")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        con.execute(AGGREGATE)
        times.append(time.perf_counter() - start)
    each = " ".join(f"{t:.3f}" for t in times)
    print(f"duckdb aggregates: {statistics.median(times):.3f} s ({each})", file=sys.stderr)


if __name__ == "__main__":
    kind, shop = sys.argv[1:3]
    if kind == "inmem":
        in_memory(shop, int(sys.argv[3]) if len(sys.argv) > 3 else 3)
    else:
        duckdb.sql({"basic": BASIC, "full": FULL}[kind].format(d=shop, out=sys.argv[3]))
