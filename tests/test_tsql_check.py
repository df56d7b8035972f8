"""Unit tests of tools.tsql_check: each rule flags its bad pattern and passes a T-SQL
equivalent; dbt-sqlserver-style boilerplate and lexically tricky T-SQL pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.tsql_check import (
    RULES,
    STATEMENT_MARKER,
    check_file,
    check_sql,
    dynamic_sql,
    main,
    split_statements,
    tokenize,
)

# rule, SQL that SQL Server rejects (or misreads), the T-SQL way to say it
CASES: list[tuple[str, str, str]] = [
    ("limit", "select a from t order by a limit 10", "select top (10) a from t order by a"),
    (
        "limit",
        "select a from t limit ?",
        "select a from t order by a offset 0 rows fetch next 5 rows only",
    ),
    ("double-colon-cast", "select a::int as a from t", "select cast(a as int) as a from t"),
    ("pipe-concat", "select a || b as c from t", "select concat(a, b) as c from t"),
    (
        "qualify",
        "select a from t qualify row_number() over (partition by a order by b) = 1",
        "select a from (select a, row_number() over (partition by a order by b) as rn from t) s"
        " where rn = 1",
    ),
    (
        "distinct-on",
        "select distinct on (a) a, b from t",
        "select distinct a, b from t",
    ),
    ("ilike", "select a from t where a ilike 'x%'", "select a from t where lower(a) like 'x%'"),
    (
        "group-by-ordinal",
        "select a, count(*) as n from t group by 1",
        "select a, count(*) as n from t group by a",
    ),
    (
        "nulls-ordering",
        "select a from t order by a nulls last",
        "select a from t order by case when a is null then 1 else 0 end, a",
    ),
    ("boolean-type", "select cast(a as boolean) as b from t", "select cast(a as bit) as b from t"),
    ("boolean-type", "select convert(bool, a) as b from t", "select convert(bit, a) as b from t"),
    ("boolean-literal", "select a from t where flag = true", "select a from t where flag = 1"),
    ("boolean-literal", "select false as f", "select cast(0 as bit) as f"),
    (
        "boolean-in-select",
        "select a = b as x from t",
        "select case when a = b then 1 else 0 end as x from t",
    ),
    (
        "boolean-in-select",
        "select x is null as y from t",
        "select iif(x is null, 1, 0) as y from t",
    ),
    ("boolean-in-select", "select a > b from t", "select case when a > b then 1 end as c from t"),
    (
        "boolean-in-select",
        "select (a <> b) as d, a in (1, 2) as e from t",
        "select case when a <> b then 1 else 0 end as d from t",
    ),
    ("select-alias-equals", "select a = b from t", "select b as a from t"),
    (
        "bare-boolean-filter",
        "select a from t where is_deleted",
        "select a from t where is_deleted = 1",
    ),
    ("bare-boolean-filter", "select a from t where not flag", "select a from t where flag = 0"),
    (
        "bare-boolean-filter",
        "select a from t join u on u.id = t.id and u.active",
        "select a from t join u on u.id = t.id and u.active = 1",
    ),
    (
        "bare-boolean-filter",
        "select case when flag then 1 else 0 end as x from t",
        "select case when flag = 1 then 1 else 0 end as x from t",
    ),
    (
        "bare-boolean-filter",
        "select a from t where x between 1 and 5 and (y = 2 or coalesce(z, 0))",
        "select a from t where x between 1 and 5 and (y = 2 or coalesce(z, 0) = 1)",
    ),
    (
        "order-by-without-top",
        "create view v as select a from t order by a",
        "create view v as select top 100 percent a from t order by a",
    ),
    (
        "order-by-without-top",
        "select * from (select a from t order by a) as s",
        "select * from (select a from t order by a offset 0 rows) as s",
    ),
    (
        "order-by-without-top",
        "with c as (select a from t order by a) select a from c",
        "with c as (select top 5 a from t order by a) select a from c",
    ),
    (
        "nested-with",
        "select * from (with c as (select 1 as a) select a from c) as s",
        "with c as (select 1 as a) select * from (select a from c) as s",
    ),
    (
        "with-not-at-statement-start",
        "insert into t (a) with c as (select 1 as a) select a from c",
        "with c as (select 1 as a) insert into t (a) select a from c",
    ),
    (
        "with-not-at-statement-start",
        "declare @x int = 1 with c as (select 1 as a) select a from c",
        "declare @x int = 1; with c as (select 1 as a) select a from c",
    ),
    (
        "merge-without-semicolon",
        "merge into t using s on t.id = s.id when matched then update set a = s.a"
        " when not matched then insert (id, a) values (s.id, s.a)",
        "merge into t using s on t.id = s.id when matched then update set a = s.a"
        " when not matched then insert (id, a) values (s.id, s.a);",
    ),
    (
        "merge-without-semicolon",
        "merge into t using s on t.id = s.id when matched then delete option (maxdop 1)"
        " set nocount off;",
        "merge into t using s on t.id = s.id when matched then delete option (maxdop 1);"
        " set nocount off;",
    ),
    (
        "create-or-replace",
        "create or replace view v as select 1 as a",
        "create or alter view v as select 1 as a",
    ),
    (
        "if-not-exists",
        "create table if not exists t (a int)",
        "if object_id('t', 'U') is null create table t (a int)",
    ),
    (
        "if-not-exists",
        "create schema if not exists lms",
        "if not exists (select * from sys.schemas where name = 'lms') exec('create schema lms')",
    ),
    (
        "text-type",
        "select cast(a as text) as b from t",
        "select cast(a as varchar(max)) as b from t",
    ),
    (
        "timestamp-type",
        "select try_cast(a as timestamp) as b from t",
        "select try_cast(a as datetime2(6)) as b from t",
    ),
    (
        "timestamp-type",
        "select convert(timestamp, a) as b from t",
        "select convert(datetime2, a, 121) as b from t",
    ),
]


def rules_of(sql: str) -> list[str]:
    return [f.rule for f in check_sql(sql)]


@pytest.mark.parametrize(
    ("rule", "bad", "good"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_flags_bad_and_passes_tsql(rule: str, bad: str, good: str) -> None:
    assert rule in rules_of(bad), f"{rule} not reported for: {bad}"
    assert rules_of(good) == [], f"false positive for: {good}"


def test_every_rule_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(RULES)


# T-SQL of the shapes dbt-sqlserver sends around every model and test: must pass.
BOILERPLATE = [
    """USE [EdFi_Ods];
    select name as [schema] from sys.schemas with (nolock) OPTION (LABEL = 'dbt-sqlserver');""",
    """USE [EdFi_Ods];
    declare @schema_id int = schema_id('lms');
    select DB_NAME() as [database], t.name as [name], 'lms' as [schema], 'table' as table_type
    from sys.tables as t with (nolock) where t.schema_id = @schema_id
    union all
    select DB_NAME() as [database], v.name as [name], 'lms' as [schema], 'view' as table_type
    from sys.views as v with (nolock) where v.schema_id = @schema_id
    OPTION (LABEL = 'dbt-sqlserver');""",
    """USE [EdFi_Ods];
    DECLARE @lock int;
    EXEC @lock = sp_getapplock @Resource = 'create_schema_lms', @LockMode = 'Exclusive',
      @LockOwner = 'Session', @LockTimeout = 30000;
    BEGIN TRY
      IF NOT EXISTS (SELECT * FROM sys.schemas WHERE name = 'lms')
      BEGIN
        EXEC('CREATE SCHEMA "lms"')
      END
    END TRY
    BEGIN CATCH
      IF @lock >= 0 EXEC sp_releaseapplock @Resource = 'create_schema_lms', @LockOwner = 'Session';
      THROW;
    END CATCH""",
    """EXEC('create view [lms].[testview_1] as select a from "db"."lms"."m" where a is null;')
    select count(*) as failures,
      case when count(*) != 0 then 'true' else 'false' end as should_warn,
      case when count(*) != 0 then 'true' else 'false' end as should_error
    from (select * from [lms].[testview_1]) dbt_internal_test;
    EXEC('drop view [lms].[testview_1];')""",
    """USE [EdFi_Ods];
    EXEC('CREATE OR ALTER VIEW "lms"."m__dbt_tmp_vw" AS with s as (select a from t)
    select a from s;')
    EXEC('IF OBJECT_ID(''lms.m__dbt_tmp'', ''U'') IS NOT NULL
        EXEC(''DROP TABLE "db"."lms"."m__dbt_tmp"'');SELECT * INTO "db"."lms"."m__dbt_tmp"
        FROM "db"."lms"."m__dbt_tmp_vw" OPTION (LABEL = ''dbt-sqlserver'');')
    EXEC('DROP VIEW IF EXISTS "lms"."m__dbt_tmp_vw"')""",
    """EXEC sp_rename 'lms.m__dbt_tmp', 'm'""",
    """select i.[name] as [name],
        case when i.[type] = 1 then 'clustered' when i.[type] = 5 then 'columnstore' end as [type],
        isnull(k.cols, '') as [columns]
    from sys.indexes i with (nolock)
    outer apply (
        select string_agg(cast(c.[name] as nvarchar(max)), ', ')
               within group (order by ic.key_ordinal) as cols
        from sys.index_columns ic inner join sys.columns c
          on c.object_id = ic.object_id and c.column_id = ic.column_id
        where ic.object_id = i.object_id and ic.is_included_column = 0
    ) k""",
    """declare @body nvarchar(max) = N'select a from t limit 1';
    select object_definition(object_id('lms.v', 'V')) as definition,
      case when exists (
        select 1 from (select column_ordinal, name from sys.dm_exec_describe_first_result_set(
            @body, null, 0) where is_hidden = 0 or error_number is not null) as described
        full outer join (select row_number() over (order by column_id) as column_ordinal, name
            from sys.columns where object_id = object_id('lms.v', 'V')) as cached
          on described.column_ordinal = cached.column_ordinal
        where described.column_ordinal is null
           or described.name collate database_default <> cached.name collate database_default
      ) then 1 else 0 end as needs_refresh
    where object_id('lms.v', 'V') is not null""",
    """merge into "db"."lms"."m" as DBT_INTERNAL_DEST
        using "db"."lms"."m__dbt_tmp" as DBT_INTERNAL_SOURCE
        on ((DBT_INTERNAL_SOURCE.id = DBT_INTERNAL_DEST.id))
    when matched then update set "id" = DBT_INTERNAL_SOURCE."id", "a" = DBT_INTERNAL_SOURCE."a"
    when not matched then insert ("id", "a") values ("id", "a")
    OPTION (LABEL = 'dbt-sqlserver');""",
    """SET NOCOUNT ON;
    delete from "db"."lms"."m" where exists (select null from "db"."lms"."m__dbt_tmp"
      where "db"."lms"."m__dbt_tmp".id = "db"."lms"."m".id)
    OPTION (LABEL = 'dbt-sqlserver');
    SET NOCOUNT OFF;
    insert into "db"."lms"."m" ("id", "a") (select "id", "a" from "db"."lms"."m__dbt_tmp")
    OPTION (LABEL = 'dbt-sqlserver');""",
    'insert into "db"."lms"."seed" ("a", "b") values (?, ?), (?, null)',
    "grant select on schema::lms to [reader]; revoke select on object::lms.m from [old]",
    "if @@trancount > 0 commit transaction",
    "exec sp_executesql N'select @p as x where @p = 1', N'@p int', @p = 1",
]


@pytest.mark.parametrize("sql", BOILERPLATE, ids=range(len(BOILERPLATE)))
def test_dbt_sqlserver_boilerplate_passes(sql: str) -> None:
    assert check_sql(sql) == []


@pytest.mark.parametrize(
    "sql",
    [
        "select 'limit 1' as x, 'a::int' as y, 'a || b' as z from t where c = 'true'",
        "select a from t -- where is_deleted limit 1\nwhere b = 1",
        "select a from t /* outer /* nested */ limit 1 qualify x */ where b = 1",
        'select [limit], "qualify", [order by] from t where [true] = 1',
        "select N'x::y' as s, 'it''s limit 5' as t",
        "select a from t where a in (select b from u) and exists (select 1 from v where v.x = t.x)",
        "select stuff((select ',' + n from t order by n for xml path('')), 1, 1, '') as names",
        "select * from a cross apply (select top 1 b from c where c.id = a.id order by c.ts) as x",
        "select case a when 1 then 'x' else 'y' end as s from t group by a order by 1",
        "select left(a, 2) as l from t where left(a, 1) = 'x' or right(a, 1) = 'y'",
        "select @total = sum(a) from t",
        "select a from t where contains(body, 'limit')",
    ],
)
def test_lexically_tricky_tsql_passes(sql: str) -> None:
    assert check_sql(sql) == []


def test_dynamic_sql_is_checked_with_outer_line_numbers() -> None:
    sql = "USE [db];\nEXEC('\n  create view v as\n  select a from t\n  limit 1;')\nselect 1 as x"
    findings = check_sql(sql, file="f.sql", node="model.p.v")
    assert [(f.rule, f.line, f.dynamic) for f in findings] == [("limit", 5, True)]
    assert "limit 1" in findings[0].excerpt
    text = findings[0].format()
    assert text.startswith("f.sql:5: [limit]") and "model.p.v" in text


def test_doubled_quotes_inside_exec_are_decoded() -> None:
    assert check_sql("EXEC('select ''a'' as x where y = ''limit 1''')") == []
    assert [f.rule for f in check_sql("EXEC('select ''a''::text as x')")] == ["double-colon-cast"]
    nested = "EXEC('EXEC(''select 1 as a limit 1'')')"
    assert [f.rule for f in check_sql(nested)] == ["limit"]
    assert [text for _, text in dynamic_sql(nested)] == [
        "EXEC('select 1 as a limit 1')",
        "select 1 as a limit 1",
    ]


def test_tokenizer_keeps_lines_and_kinds() -> None:
    toks = tokenize("select [a b], N'x\ny', @v\n/* c\n */ from t -- z", first_line=10)
    assert [(t.kind, t.value, t.line) for t in toks] == [
        ("word", "select", 10),
        ("qident", "a b", 10),
        ("punct", ",", 10),
        ("string", "x\ny", 10),
        ("punct", ",", 11),
        ("var", "@v", 11),
        ("word", "from", 13),
        ("word", "t", 13),
    ]


def test_render_file_statements_are_checked_separately(tmp_path: Path) -> None:
    # each statement is its own batch: a CTE after a statement without ';' is fine when
    # they were sent separately, and line numbers refer to the file
    path = tmp_path / "model.p.m.sql"
    path.write_text(
        "-- header\n"
        f"{STATEMENT_MARKER} 1 (connection m)\n"
        "USE [db]\n"
        f"{STATEMENT_MARKER} 2 (connection m)\n"
        "with c as (select 1 as a) select a from c\n"
        "where a\n",
        encoding="utf-8",
    )
    assert [line for line, _ in split_statements(path.read_text())] == [1, 3, 5]
    findings = check_file(path, node="model.p.m")
    assert [(f.rule, f.line, f.node) for f in findings] == [("bare-boolean-filter", 6, "model.p.m")]


def test_cli_exit_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.sql"
    good.write_text("select top (1) a from t order by a\n", encoding="utf-8")
    bad = tmp_path / "bad.sql"
    bad.write_text("select a\nfrom t\nlimit 1\n", encoding="utf-8")
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:3: [limit]" in out
    assert main([str(tmp_path / "missing.sql")]) == 2
