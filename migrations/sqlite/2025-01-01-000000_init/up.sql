-- SQLite schema. Keep in step with ../../postgres (same tables, same columns).
CREATE TABLE plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT 1
);

CREATE TABLE focus_areas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    UNIQUE (plan_id, number)
);

CREATE TABLE initiatives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    area_id INTEGER NOT NULL REFERENCES focus_areas(id),
    number INTEGER NOT NULL,
    name TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    UNIQUE (area_id, number)
);

CREATE TABLE initiative_departments (
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id),
    position INTEGER NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (initiative_id, position)
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    fiscal_year INTEGER NOT NULL,
    report_date TEXT NOT NULL,
    UNIQUE (plan_id, fiscal_year)
);

CREATE TABLE sheets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    initiative_id INTEGER NOT NULL REFERENCES initiatives(id),
    fiscal_year INTEGER NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    related_plan TEXT NOT NULL DEFAULT '',
    plan_years TEXT NOT NULL DEFAULT '',
    target_scope TEXT NOT NULL DEFAULT '',
    related_initiatives TEXT NOT NULL DEFAULT '',
    special_notes TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    plan_for_year TEXT NOT NULL DEFAULT '',
    h1_actions TEXT NOT NULL DEFAULT '',
    h1_progress TEXT NOT NULL DEFAULT '',
    h2_plan TEXT NOT NULL DEFAULT '',
    h2_actions TEXT NOT NULL DEFAULT '',
    effects TEXT NOT NULL DEFAULT '',
    issues TEXT NOT NULL DEFAULT '',
    dept_evaluation TEXT NOT NULL DEFAULT '',
    dept_reason TEXT NOT NULL DEFAULT '',
    hq_evaluation TEXT NOT NULL DEFAULT '',
    hq_comment TEXT NOT NULL DEFAULT '',
    next_year TEXT NOT NULL DEFAULT '',
    return_reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (initiative_id, fiscal_year)
);
CREATE INDEX sheets_year ON sheets (fiscal_year);

CREATE TABLE action_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    UNIQUE (sheet_id, position)
);

CREATE TABLE schedule_cells (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action_item_id INTEGER NOT NULL REFERENCES action_items(id) ON DELETE CASCADE,
    fiscal_year INTEGER NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (action_item_id, fiscal_year)
);

CREATE TABLE indicators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sheet_id INTEGER NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    method TEXT NOT NULL,
    baseline_text TEXT NOT NULL,
    baseline_number DOUBLE,
    baseline_unit TEXT,
    baseline_year INTEGER,
    target_text TEXT NOT NULL,
    target_number DOUBLE,
    target_unit TEXT,
    target_year INTEGER NOT NULL,
    UNIQUE (sheet_id, position)
);

-- period: 'h1' = 上半期実績, 'year' = 通年実績, 'current' = 現況値
CREATE TABLE indicator_values (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    indicator_id INTEGER NOT NULL REFERENCES indicators(id) ON DELETE CASCADE,
    fiscal_year INTEGER NOT NULL,
    period TEXT NOT NULL,
    value_text TEXT NOT NULL,
    value_number DOUBLE,
    value_unit TEXT,
    UNIQUE (indicator_id, fiscal_year, period)
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id INTEGER REFERENCES departments(id),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- kind: 'h1' = 上半期, 'year_end' = 年度末; status: 'open' | 'closed'
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id INTEGER NOT NULL REFERENCES plans(id),
    fiscal_year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    deadline DATE,
    opened_at TIMESTAMP,
    closed_at TIMESTAMP,
    UNIQUE (plan_id, fiscal_year, kind)
);

-- Choices offered in dropdowns; HQ edits them. list: progress | evaluation | method | schedule
CREATE TABLE choices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    list TEXT NOT NULL,
    position INTEGER NOT NULL,
    value TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    UNIQUE (list, value)
);

-- Every change and workflow step: who, when, what. detail is JSON.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    user_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    sheet_id INTEGER REFERENCES sheets(id),
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_sheet ON audit_log (sheet_id);
