{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='merge',
        on_schema_change='append_new_columns'
    )
}}

-- One row per order with its latest status; a later run merges changed orders on order_id.
select
    order_id,
    customer_id,
    order_date,
    status,
    amount
from {{ ref('orders') }}
{% if is_incremental() %}
where order_date >= (select max(order_date) from {{ this }}) - interval 7 day
{% endif %}
