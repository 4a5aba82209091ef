-- The weekly report's averages: float aggregates, compared with a tolerance.
-- ordered: false
-- float_tolerance: 1e-9
-- params: {"company_id": "studio-lotos"}
SELECT c.is_vip, count(*) AS clients, avg(c.rating) AS avg_rating, sum(c.balance) AS balance
FROM public.clients c
WHERE c.company_id = %(company_id)s
GROUP BY c.is_vip
