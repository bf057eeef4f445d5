-- Orders whose payments sum to a negative amount: none should exist.
select order_id, amount
from {{ ref('orders') }}
where amount < 0
