-- Garden test (docs/hardening.md): every function and aggregate kam owns, found through
-- pg_depend, called with each argument set in turn to each value of a list of awkward inputs
-- (the other arguments typical), aggregates also over an empty set.  This file builds the
-- list of calls in garden.calls; test/garden/run.sh runs them one by one, logging each
-- before it runs, and checks that the server survives and no error is XX000.
CREATE SCHEMA garden;

-- awkward values per argument type (SQL expressions)
CREATE TABLE garden.vals (typname text, expr text);
INSERT INTO garden.vals
SELECT 'double precision', unnest(ARRAY['NULL', '0', '-1', '1', '1e308', '-1e308', '''NaN''', '''Infinity''', '''-Infinity''', '0.5', '1e-308'])
UNION ALL SELECT 'numeric', unnest(ARRAY['NULL', '0', '-1', '1', '1e308', '-1e308', '''NaN''', '''Infinity''', '''-Infinity''', '0.005'])
UNION ALL SELECT 'integer', unnest(ARRAY['NULL', '0', '-1', '1', '2147483647', '-2147483648', '11', '100'])
UNION ALL SELECT 'bigint', unnest(ARRAY['NULL', '0', '-1', '1', '9223372036854775807', '-9223372036854775808', '1000000000'])
UNION ALL SELECT 'text', unnest(ARRAY['NULL', '''''', '''garbage''', '''redistribute''', '''zero''', '''null''', 'repeat(''x'', 100000)', '''grade''', '''r''', '''wald'''])
UNION ALL SELECT 'cstring', unnest(ARRAY['NULL', '''''', '''garbage''', '''()''', '''(n=1)''', 'repeat(''('', 10000)'])
UNION ALL SELECT 'double precision[]', unnest(ARRAY['NULL', '''{}''', '''{1,NULL,3}''', '''{{1,2},{3,4}}''', 'array_fill(0.5::float8, ARRAY[100000])',
                                                  '''{NaN}''', '''{Infinity,-Infinity}''', '''{-1,2}''', '''{NULL,NULL}''', '''[0:1]={0.2,0.7}'''])
UNION ALL SELECT 'text[]', unnest(ARRAY['NULL', '''{}''', '''{a,NULL}''', '''{{a,b},{c,d}}''', 'array_fill(''x''::text, ARRAY[10000])', '''{"",b}''', '''{a,a}'''])
UNION ALL SELECT 'date', unnest(ARRAY['NULL', '''infinity''', '''-infinity''', '''2024-01-01''', '''4713-01-01 BC''', '''5874897-12-31'''])
UNION ALL SELECT 'timestamp with time zone', unnest(ARRAY['NULL', '''infinity''', '''-infinity''', '''2024-01-01''', '''294276-12-31''', '''4713-01-01 BC'''])
UNION ALL SELECT 'interval', unnest(ARRAY['NULL', '''0''', '''1 month''', '''-1 day''', '''1 day''', '''178000000 years''', '''1 month 1 day'''])
UNION ALL SELECT 'jsonb', unnest(ARRAY['NULL', '''{}''', '''[]''', '''null''', '''{"a": "x"}''', '''{"a": 1e308, "b": -1e308}''', '''1''', '''{"a": null}'''])
UNION ALL SELECT 'boolean', unnest(ARRAY['NULL', 'true', 'false'])
-- anycompatible: kam.mrr_schedule's paused (a daterange, a datemultirange or the text of either)
UNION ALL SELECT 'anycompatible', unnest(ARRAY['NULL::daterange', '''[2024-05-01,2024-07-01)''::daterange', '''empty''::daterange', '''(,)''::daterange', '''[2024-05-01,)''::daterange',
                                              '''{[2024-02-01,2024-03-01),[2024-05-01,)}''::datemultirange', '''{}''', '''[2024-05-01,2024-07-01)''', '''garbage''',
                                              'repeat(''{'', 10000)', 'NULL::text'])  -- other types (42804) are in ledger.sql
UNION ALL SELECT 'kam.discount', unnest(ARRAY['NULL', 'kam.discount(percent => 20)', 'kam.discount(amount => 10, duration => ''repeating'', months => 3)',
                                             '''(150,,forever,)''', '''(,,,)''', '''(1,1,once,)''', '''(,1e308,repeating,2147483647)'''])
UNION ALL SELECT 'anyelement', unnest(ARRAY['NULL::int', '1', '''k''::text', '''{1}''::int[]', 'NULL::text'])
-- "any": kam.health_score_of's measures (double precision or numeric; other types, 42804, are in health.sql)
UNION ALL SELECT '"any"', unnest(ARRAY['NULL::numeric', 'NULL::float8', '50::float8', '''NaN''::float8', '''NaN''::numeric', '''Infinity''::numeric',
                                      '30.7692307692307692', '1e308::numeric', '-1::float8', '100.000000000000000001'])
UNION ALL SELECT 'kam.retention', unnest(ARRAY['NULL', '''(starting=100:1,new=0:0,reactivation=0:0,expansion=20:1,contraction=0:0,churned=0:0)''',
                                              '''(starting=0:0,new=0:0,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)''',
                                              '''(starting=1e308:9223372036854775807,new=1e308:1,reactivation=0:0,expansion=0:0,contraction=0:0,churned=0:0)''', '''garbage'''])
UNION ALL SELECT 'kam.survival', unnest(ARRAY['NULL', '''(10:1:0,20:0:1)''', '''()''', '''(2147483647:9223372036854775807:0)''', '''garbage'''])
UNION ALL SELECT 'kam.bgnbd', unnest(ARRAY['NULL', '''(r=0.243,alpha=4.414,a=0.793,b=2.426,ll=NaN,n=0)''', '''(r=1e-300,alpha=1e300,a=1e-300,b=1e300,ll=0,n=1)''',
                                          '''(r=1e300,alpha=1e-300,a=1,b=1e-300,ll=0,n=1)''', '''garbage'''])
UNION ALL SELECT 'kam.gammagamma', unnest(ARRAY['NULL', '''(p=6.25,q=3.74,v=15.44,ll=NaN,n=0)''', '''(p=1e-300,q=1e300,v=1e-300,ll=0,n=1)''', '''(p=1,q=1,v=1,ll=0,n=1)''', '''garbage'''])
UNION ALL SELECT 'kam.scorecard', unnest(ARRAY['NULL', '''policy=redistribute;"a"=1[0,10];"b"=2[10,0]''', '''policy=null;"a"=1e308[-1e308,1e308]''', '''garbage'''])
UNION ALL SELECT 'kam.hhi_state', unnest(ARRAY['NULL', '''(n=2,sum=7,sum_squares=25)''', '''(n=0,sum=0,sum_squares=0)''', '''(n=1,sum=1e308,sum_squares=1e308)''', '''garbage'''])
UNION ALL SELECT 'kam.top_state', unnest(ARRAY['NULL', '''(rows=3,n=2,total=9,top={3,5})''', '''(rows=0,n=1,total=0,top={})''', '''(rows=2,n=4,total=1e308,top={0,1e308})''', '''garbage'''])
UNION ALL SELECT 'kam.forecast_state', unnest(ARRAY['NULL', '''(n=1,zero_actuals=0,ape=0.1,abs_error=10,actual=100,error=10)''', '''(n=0,zero_actuals=0,ape=0,abs_error=0,actual=0,error=0)''', '''garbage'''])
UNION ALL SELECT 'kam.survey', unnest(ARRAY['NULL', '''(n=10,promoters=4,detractors=4,top_box=0,scale_max=0,sum=67,sum_squares=545)''', '''(n=0,promoters=0,detractors=0,top_box=0,scale_max=0,sum=0,sum_squares=0)''',
                                           '''(n=1e300,promoters=0,detractors=1e300,top_box=0,scale_max=5,sum=1e300,sum_squares=1e300)''', '''garbage'''])
UNION ALL SELECT 'kam.renewals', unnest(ARRAY['NULL', '''(on_time=2,late=1,lost=1,pending=2,renewed_term=3500,lost_term=800,pending_term=700,renewal=3100,renewal_kept=3000)''',
                                             '''(on_time=0,late=0,lost=0,pending=0,renewed_term=0,lost_term=0,pending_term=0,renewal=0,renewal_kept=0)''',
                                             '''(on_time=4503599627370495,late=0,lost=0,pending=0,renewed_term=1e308,lost_term=0,pending_term=0,renewal=1e308,renewal_kept=1e308)''', '''garbage'''])
UNION ALL SELECT 'kam.sbg', unnest(ARRAY['NULL', 'kam.sbg(0.668, 3.806)', '''(alpha=0.704,beta=1.182,ll=-1680.3,n=1000,alpha_se=0.05,beta_se=0.1,cor_alpha_beta=0.5)''',
                                        '''(alpha=1e-300,beta=1e300,ll=NaN,n=0,alpha_se=NaN,beta_se=NaN,cor_alpha_beta=0.5)''', '''(alpha=1e300,beta=1e-300,ll=0,n=1,alpha_se=0,beta_se=0,cor_alpha_beta=0.5)''', '''garbage'''])
UNION ALL SELECT 'kam.paretonbd', unnest(ARRAY['NULL', 'kam.paretonbd(0.5534, 10.5802, 0.6061, 11.6562)', '''(r=0.553,alpha=10.578,s=0.606,beta=11.669,ll=-9595,n=2357,r_se=0.05,alpha_se=0.8,s_se=0.2,beta_se=6.2,cor_r_alpha=0.5,cor_r_s=0.5,cor_r_beta=0.5,cor_alpha_s=0.5,cor_alpha_beta=0.5,cor_s_beta=0.5)''',
                                              '''(r=1e-300,alpha=1e300,s=1e-300,beta=1e300,ll=NaN,n=0,r_se=NaN,alpha_se=NaN,s_se=NaN,beta_se=NaN,cor_r_alpha=0.5,cor_r_s=0.5,cor_r_beta=0.5,cor_alpha_s=0.5,cor_alpha_beta=0.5,cor_s_beta=0.5)''',
                                              '''(r=10.465,alpha=0.00798565181,s=3.0516,beta=2.82,ll=0,n=1,r_se=0,alpha_se=0,s_se=0,beta_se=0,cor_r_alpha=0.5,cor_r_s=0.5,cor_r_beta=0.5,cor_alpha_s=0.5,cor_alpha_beta=0.5,cor_s_beta=0.5)''', '''garbage'''])
UNION ALL SELECT 'kam.mbgnbd', unnest(ARRAY['NULL', 'kam.mbgnbd(0.525, 6.183, 0.891, 1.614)', '''(r=1e-300,alpha=1e300,a=1e-300,b=1e300,ll=NaN,n=0,r_se=NaN,alpha_se=NaN,a_se=NaN,b_se=NaN,cor_r_alpha=0.5,cor_r_a=0.5,cor_r_b=0.5,cor_alpha_a=0.5,cor_alpha_b=0.5,cor_a_b=0.5)''',
                                           '''(r=1e300,alpha=1e-300,a=1,b=1e-300,ll=0,n=1,r_se=0,alpha_se=0,a_se=0,b_se=0,cor_r_alpha=0.5,cor_r_a=0.5,cor_r_b=0.5,cor_alpha_a=0.5,cor_alpha_b=0.5,cor_a_b=0.5)''', '''garbage'''])
UNION ALL SELECT 'kam.bgbb', unnest(ARRAY['NULL', 'kam.bgbb(1.204, 0.750, 0.657, 2.783)', '''(alpha=1e-300,beta=1e300,gamma=1e-300,delta=1e300,ll=NaN,n=0,alpha_se=NaN,beta_se=NaN,gamma_se=NaN,delta_se=NaN,cor_alpha_beta=0.5,cor_alpha_gamma=0.5,cor_alpha_delta=0.5,cor_beta_gamma=0.5,cor_beta_delta=0.5,cor_gamma_delta=0.5)''',
                                         '''(alpha=1e300,beta=1e-300,gamma=1,delta=1e-300,ll=0,n=1,alpha_se=0,beta_se=0,gamma_se=0,delta_se=0,cor_alpha_beta=0.5,cor_alpha_gamma=0.5,cor_alpha_delta=0.5,cor_beta_gamma=0.5,cor_beta_delta=0.5,cor_gamma_delta=0.5)''', '''garbage'''])
UNION ALL SELECT 'kam.bgnbd_estimate', unnest(ARRAY['NULL', 'ROW(kam.bgnbd(0.243, 4.414, 0.793, 2.426), 0.01256, 0.3782, 0.1857, 0.7053, 0.3, 0.2, 0.1, 0.2, 0.3, 0.9)::kam.bgnbd_estimate',
                                                   'ROW(kam.bgnbd(0.243, 4.414, 0.793, 2.426), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::kam.bgnbd_estimate',
                                                   'ROW(NULL, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0)::kam.bgnbd_estimate'])
UNION ALL SELECT 'kam.gammagamma_estimate', unnest(ARRAY['NULL', 'ROW(kam.gammagamma(6.25, 3.74, 15.44), 1.19, 0.29, 4.16, -0.5, 0.3, 0.9)::kam.gammagamma_estimate',
                                                        'ROW(kam.gammagamma(6.25, 3.74, 15.44), NULL, NULL, NULL, NULL, NULL, NULL)::kam.gammagamma_estimate'])
UNION ALL SELECT 'kam.bdw', unnest(ARRAY['NULL', 'kam.bdw(0.7, 1.2, 0.9)', '''(alpha=0.456,beta=0.779,c=1.283,ll=-1679.6,n=1000,alpha_se=0.1,beta_se=0.2,c_se=0.3,cor_alpha_beta=0.5,cor_alpha_c=-0.5,cor_beta_c=-0.9)''',
                                        '''(alpha=1e-300,beta=1e300,c=1e-300,ll=NaN,n=0,alpha_se=NaN,beta_se=NaN,c_se=NaN,cor_alpha_beta=NaN,cor_alpha_c=NaN,cor_beta_c=NaN)''', '''garbage'''])
UNION ALL SELECT 'integer[]', unnest(ARRAY['NULL', '''{1000,869,743,653,593,551,517,491}''', '''{}''', '''{5}''', '''{1000,1000}''', '''{3,2,NULL}''', '''{{1,2},{3,4}}''', '''{2147483647,0}'''])
UNION ALL SELECT 'kam.band_scheme', unnest(ARRAY['NULL', '''F:60,D:70,C:80,B:90,A:100''', '''a:1e-300,b:1e308''', '''garbage'''])
UNION ALL SELECT 'kam.trend', unnest(ARRAY['NULL', '''(n=3,mean_t=8796,mean_v=20,m2_t=1800,c_tv=600,m2_v=200)''', '''(n=0,mean_t=0,mean_v=0,m2_t=0,c_tv=0,m2_v=0)''',
                                          '''(n=2,mean_t=1e308,mean_v=-1e308,m2_t=1e308,c_tv=-1e308,m2_v=1e308)''', '''garbage''']);

-- the typical value of an argument: by name where it matters, else the type's second value
CREATE FUNCTION garden.typical(typ regtype, argname text) RETURNS text LANGUAGE sql AS $$
    SELECT CASE
        WHEN argname IN ('policy') THEN '''redistribute'''
        WHEN argname IN ('edges_sql') THEN '''SELECT * FROM (VALUES (1::bigint, 2::bigint, NULL::date, NULL::date)) v(child, parent, valid_from, valid_to)'''
        WHEN argname IN ('segment') THEN '''strategic'''
        WHEN argname IN ('method') THEN '''wald'''
        WHEN argname IN ('scheme_name') THEN '''grade'''
        WHEN argname IN ('name') THEN '''r'''
        WHEN argname IN ('from') THEN '''2024-01-01'''
        WHEN argname IN ('to', 'as_of', 'observation_end') THEN '''2024-12-01'''
        WHEN argname IN ('valid_to') THEN 'NULL'
        WHEN argname IN ('period', 'unit') AND typ = 'interval'::regtype THEN '''1 day'''
        WHEN argname IN ('unit', 'grain') THEN '''month'''
        WHEN argname IN ('anchor') THEN '''start'''
        WHEN argname IN ('discounts') THEN '''deduct'''
        WHEN argname IN ('duration') THEN '''forever'''
        WHEN argname IN ('percent') THEN '10'
        WHEN argname IN ('months') THEN 'NULL'
        WHEN argname IN ('amount') AND typ = 'numeric'::regtype THEN '100'
        WHEN argname IN ('count') THEN '1'
        WHEN argname IN ('trial_end', 'paused', 'discount') THEN 'NULL'
        WHEN typ = 'double precision'::regtype THEN '0.5'
        WHEN typ IN ('integer'::regtype, 'bigint'::regtype, 'numeric'::regtype) THEN '1'
        WHEN typ = 'text'::regtype THEN '''a'''
        WHEN typ = 'anyelement'::regtype THEN '1'
        WHEN typ = '"any"'::regtype THEN '50::float8'
        WHEN typ = 'anycompatible'::regtype THEN 'NULL'
        WHEN typ = 'date'::regtype THEN '''2024-01-01'''
        WHEN typ = 'timestamp with time zone'::regtype THEN '''2024-01-01'''
        WHEN typ = 'double precision[]'::regtype THEN '''{0.2,0.7}'''
        WHEN typ = 'text[]'::regtype THEN '''{a,b}'''
        WHEN typ = 'jsonb'::regtype THEN '''{"a": 1, "b": 2}'''
        ELSE (SELECT expr FROM garden.vals v WHERE v.typname::regtype = typical.typ AND expr <> 'NULL' ORDER BY ctid LIMIT 1)
    END $$;

CREATE TABLE garden.calls (id serial, fn text, stmt text, rettype regtype);

DO $$
DECLARE
    f record;
    argtypes regtype[];
    argnames text[];
    args text[];
    call text;
    nargs int;
    v text;
BEGIN
    FOR f IN
        SELECT p.oid, p.proname, p.prokind, p.pronargs, ARRAY(SELECT unnest(p.proargtypes::regtype[])) AS types, p.proargnames, p.proretset, p.prorettype
        FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
        WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
          AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'kam')
        ORDER BY p.proname, p.oid
    LOOP
        argtypes := f.types;
        -- functions over internal values cannot be called from SQL
        CONTINUE WHEN 'internal'::regtype = ANY (argtypes);
        nargs := f.pronargs;
        argnames := coalesce(f.proargnames[1:nargs], array_fill(''::text, ARRAY[nargs]));
        FOR i IN 0 .. nargs LOOP
            FOR v IN
                SELECT expr FROM garden.vals WHERE typname::regtype = argtypes[greatest(i, 1)] AND i > 0
                UNION ALL SELECT NULL WHERE i = 0
            LOOP
                args := ARRAY[]::text[];
                FOR j IN 1 .. nargs LOOP
                    args := args || format('(%s)::%s', CASE WHEN j = i THEN v ELSE garden.typical(argtypes[j], argnames[j]) END,
                                           CASE WHEN argtypes[j] = 'anyelement'::regtype THEN 'int'
                                                WHEN argtypes[j] = 'anycompatible'::regtype THEN 'daterange'
                                                ELSE argtypes[j]::text END);
                    IF (argtypes[j] IN ('anyelement'::regtype, 'anycompatible'::regtype) AND j = i) OR argtypes[j] = '"any"'::regtype THEN
                        args[j] := format('(%s)', CASE WHEN j = i THEN v ELSE garden.typical(argtypes[j], argnames[j]) END);
                    END IF;
                END LOOP;
                call := format('kam.%I(%s)', f.proname, array_to_string(args, ', '));
                IF f.prokind = 'w' THEN
                    call := call || ' OVER ()';
                END IF;
                INSERT INTO garden.calls (fn, stmt, rettype) VALUES (f.proname, 'SELECT ' || call, f.prorettype);
                IF f.prokind = 'a' THEN
                    -- the aggregate over an empty set and over three equal rows
                    INSERT INTO garden.calls (fn, stmt, rettype)
                    VALUES (f.proname, 'SELECT ' || call || ' FROM generate_series(1, 0)', f.prorettype),
                           (f.proname, 'SELECT ' || call || ' FROM generate_series(1, 3)', f.prorettype);
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
END $$;

-- runs one call; returns its SQLSTATE ('00000' when it succeeded)
CREATE FUNCTION garden.try(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN '00000';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
CREATE TABLE garden.results (id int, sqlstate text);
