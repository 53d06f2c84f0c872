-- The 2022–2025 classification rule of vuonlen (standards/2022-2025.toml) written as DuckDB SQL,
-- for the side-by-side benchmark in bench/classify_vs_duckdb.py. Placeholders in braces are
-- filled by bench/duckdb_classify.py: file paths, the reference date, and the retirement ages
-- (months) of the reference year from standards/labour-code-2019.toml.
COPY (
WITH m AS (
    SELECT
        household_id,
        relation,
        sex,
        ethnicity,
        health_insurance,
        employment,
        coalesce(nullif(able_to_work, ''), '1') AS able_to_work,
        education,
        in_school,
        school_on_track,
        malnourished,
        coalesce(nullif(disability, ''), 'none') AS disability,
        coalesce(nullif(social_allowance, ''), '0') AS social_allowance,
        coalesce(nullif(merit, ''), '0') AS merit,
        CASE WHEN length(birth_date) = 4 THEN make_date(CAST(birth_date AS INTEGER), 1, 1)
             ELSE CAST(birth_date AS DATE) END AS bd
    FROM read_csv('{members}', header = true, all_varchar = true)
), ma AS (
    SELECT *,
        (year(DATE '{as_of}') - year(bd))
          - CASE WHEN month(DATE '{as_of}') * 100 + day(DATE '{as_of}') < month(bd) * 100 + day(bd) THEN 1 ELSE 0 END AS age,
        (year(DATE '{as_of}') - year(bd)) * 12 + month(DATE '{as_of}') - month(bd)
          - CASE WHEN day(DATE '{as_of}') < day(bd) THEN 1 ELSE 0 END AS age_months
    FROM m
), mw AS (
    SELECT *,
        age >= 15 AND age_months < CASE WHEN sex = 'M' THEN {retire_male} ELSE {retire_female} END AS working
    FROM ma
), agg AS (
    SELECT
        household_id,
        count(*) AS persons,
        bool_or(working AND employment IN ('unemployed', 'wage_no_contract')) AS d_employment,
        sum(CASE WHEN age < 16 OR (social_allowance = '1' AND (age >= 60 OR disability <> 'none')) THEN 1 ELSE 0 END) AS dependants,
        bool_or(age < 16 AND malnourished = '1') AS d_nutrition,
        bool_or(age >= 6 AND health_insurance = '0') AS d_health_insurance,
        bool_or(
            (age >= 16 AND age < 18 AND in_school <> '1'
                AND education NOT IN ('lower_secondary', 'upper_secondary', 'vocational', 'college_plus'))
            OR (age >= 18 AND age < 31 AND in_school <> '1'
                AND education NOT IN ('upper_secondary', 'vocational', 'college_plus'))) AS d_adult_education,
        bool_or(age >= 3 AND age < 16 AND school_on_track = '0') AS d_child_schooling,
        bool_or(working AND able_to_work = '1') AS has_labour,
        bool_or(merit = '1') AS merit,
        -- the head: relation 'head', else member 1 (the spec requires exactly one head)
        arg_min(ethnicity, CASE WHEN relation = 'head' THEN 0 ELSE 1 END) AS head_ethnicity
    FROM mw
    GROUP BY household_id
), hh AS (
    SELECT
        h.household_id,
        h.area,
        nullif(h.income_per_capita, '') AS income,
        nullif(h.score_a, '') AS score,
        a.*,
        a.dependants * 2 > a.persons AS d_dependants,
        CAST(h.durable_structures AS INTEGER) <= 1 AS d_housing_quality,
        CAST(h.floor_area_m2 AS DOUBLE) < 8.0 * a.persons AS d_housing_area,
        h.water_source NOT IN ('piped', 'drilled_well', 'protected_dug_well', 'protected_spring', 'rainwater', 'bottled') AS d_water,
        h.latrine NOT IN ('septic', 'semi_septic', 'pour_flush', 'double_vault', 'ventilated_pit', 'biogas') AS d_latrine,
        h.internet_user = '0' AS d_telecom,
        h.info_devices = '0' AS d_info_devices
    FROM read_csv('{households}', header = true, all_varchar = true) h
    JOIN agg a USING (household_id)
), scored AS (
    SELECT *,
        CAST(d_employment AS INTEGER) + CAST(d_dependants AS INTEGER) + CAST(d_nutrition AS INTEGER)
          + CAST(d_health_insurance AS INTEGER) + CAST(d_adult_education AS INTEGER) + CAST(d_child_schooling AS INTEGER)
          + CAST(d_housing_quality AS INTEGER) + CAST(d_housing_area AS INTEGER) + CAST(d_water AS INTEGER)
          + CAST(d_latrine AS INTEGER) + CAST(d_telecom AS INTEGER) + CAST(d_info_devices AS INTEGER) AS deprivation_count,
        CASE WHEN income IS NOT NULL THEN 'income' ELSE 'score_a' END AS income_test,
        CASE WHEN income IS NOT NULL THEN CAST(income AS BIGINT) ELSE CAST(score AS BIGINT) END AS compared,
        CASE WHEN income IS NOT NULL THEN (CASE WHEN area = 'urban' THEN 2000000 ELSE 1500000 END)
             ELSE (CASE WHEN area = 'urban' THEN 175 ELSE 140 END) END AS line
    FROM hh
)
SELECT
    household_id,
    income_test,
    deprivation_count,
    deprivation_count * 10 AS score_b,
    concat_ws(';',
        CASE WHEN d_employment THEN 'employment' END,
        CASE WHEN d_dependants THEN 'dependants' END,
        CASE WHEN d_nutrition THEN 'nutrition' END,
        CASE WHEN d_health_insurance THEN 'health_insurance' END,
        CASE WHEN d_adult_education THEN 'adult_education' END,
        CASE WHEN d_child_schooling THEN 'child_schooling' END,
        CASE WHEN d_housing_quality THEN 'housing_quality' END,
        CASE WHEN d_housing_area THEN 'housing_area' END,
        CASE WHEN d_water THEN 'water' END,
        CASE WHEN d_latrine THEN 'latrine' END,
        CASE WHEN d_telecom THEN 'telecom' END,
        CASE WHEN d_info_devices THEN 'info_devices' END) AS deprived,
    CASE
        WHEN compared <= line THEN (CASE WHEN deprivation_count >= 3 THEN 'poor' ELSE 'near_poor' END)
        WHEN income_test = 'income'
             AND compared <= (CASE WHEN area = 'urban' THEN 3000000 ELSE 2250000 END) THEN 'middle'
        ELSE 'not_poor'
    END AS class,
    NOT has_labour AS no_labour_capacity,
    head_ethnicity NOT IN ('Kinh') AS ethnic_minority,
    merit
FROM scored
) TO '{out}' (HEADER, DELIMITER ',');
