-- Councils responsible for addresses, with how many active national records each holds.

-- name: custodians
SELECT c.custodian_code AS code, c.name, coalesce(n.addresses, 0) AS address_count
FROM custodian c
LEFT JOIN (SELECT custodian_code, count(*) AS addresses FROM national_address
           WHERE status = 'active' GROUP BY custodian_code) n
       ON n.custodian_code = c.custodian_code
ORDER BY c.custodian_code;

-- name: custodian
SELECT c.custodian_code AS code, c.name,
       (SELECT count(*) FROM national_address n
        WHERE n.status = 'active' AND n.custodian_code = c.custodian_code) AS address_count
FROM custodian c
WHERE c.custodian_code = %(code)s;
