// Written by hand to match migrations/{sqlite,postgres}; both backends share it.

diesel::table! {
    plans (id) {
        id -> Integer,
        name -> Text,
        first_year -> Integer,
        last_year -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    departments (id) {
        id -> Integer,
        name -> Text,
        active -> Bool,
        position -> Integer,
        merged_into -> Nullable<Integer>,
    }
}

diesel::table! {
    focus_areas (id) {
        id -> Integer,
        plan_id -> Integer,
        number -> Integer,
        title -> Text,
        retired -> Bool,
    }
}

diesel::table! {
    initiatives (id) {
        id -> Integer,
        area_id -> Integer,
        number -> Integer,
        name -> Text,
        department_id -> Integer,
        related_plan -> Text,
        plan_years -> Text,
        target_scope -> Text,
        retired_from -> Nullable<Integer>,
    }
}

diesel::table! {
    initiative_departments (initiative_id, position) {
        initiative_id -> Integer,
        position -> Integer,
        department_id -> Integer,
    }
}

diesel::table! {
    reports (id) {
        id -> Integer,
        plan_id -> Integer,
        fiscal_year -> Integer,
        report_date -> Text,
    }
}

diesel::table! {
    sheets (id) {
        id -> Integer,
        initiative_id -> Integer,
        fiscal_year -> Integer,
        status -> Text,
        version -> Integer,
        return_reason -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        department_name -> Nullable<Text>,
        related_department_names -> Nullable<Text>,
    }
}

diesel::table! {
    /// One row per non-empty text field of a sheet; `field` is a registry key.
    sheet_texts (sheet_id, field) {
        sheet_id -> Integer,
        field -> Text,
        text -> Text,
    }
}

diesel::table! {
    action_items (id) {
        id -> Integer,
        sheet_id -> Integer,
        position -> Integer,
        text -> Text,
    }
}

diesel::table! {
    schedule_cells (id) {
        id -> Integer,
        action_item_id -> Integer,
        fiscal_year -> Integer,
        value -> Text,
    }
}

diesel::table! {
    indicators (id) {
        id -> Integer,
        sheet_id -> Integer,
        position -> Integer,
        name -> Text,
        method -> Text,
        baseline_text -> Text,
        baseline_number -> Nullable<Double>,
        baseline_unit -> Nullable<Text>,
        baseline_year -> Nullable<Integer>,
        target_text -> Text,
        target_number -> Nullable<Double>,
        target_unit -> Nullable<Text>,
        target_year -> Integer,
        direction -> Nullable<Text>,
        status -> Nullable<Text>,
    }
}

diesel::table! {
    indicator_values (id) {
        id -> Integer,
        indicator_id -> Integer,
        fiscal_year -> Integer,
        period -> Text,
        value_text -> Text,
        value_number -> Nullable<Double>,
        value_unit -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        login -> Text,
        display_name -> Text,
        role -> Text,
        department_id -> Nullable<Integer>,
        password_hash -> Text,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        email -> Nullable<Text>,
        mail_opt_out -> Bool,
        must_change_password -> Bool,
    }
}

diesel::table! {
    rounds (id) {
        id -> Integer,
        plan_id -> Integer,
        fiscal_year -> Integer,
        kind -> Text,
        status -> Text,
        deadline -> Nullable<Date>,
        opened_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        reminder_days -> Text,
    }
}

diesel::table! {
    choices (id) {
        id -> Integer,
        list -> Text,
        position -> Integer,
        value -> Text,
        active -> Bool,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        user_id -> Nullable<Integer>,
        actor -> Text,
        action -> Text,
        sheet_id -> Nullable<Integer>,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::joinable!(focus_areas -> plans (plan_id));
diesel::joinable!(initiatives -> focus_areas (area_id));
diesel::joinable!(initiatives -> departments (department_id));
diesel::joinable!(initiative_departments -> initiatives (initiative_id));
diesel::joinable!(initiative_departments -> departments (department_id));
diesel::joinable!(reports -> plans (plan_id));
diesel::joinable!(sheets -> initiatives (initiative_id));
diesel::joinable!(action_items -> sheets (sheet_id));
diesel::joinable!(sheet_texts -> sheets (sheet_id));
diesel::joinable!(schedule_cells -> action_items (action_item_id));
diesel::joinable!(indicators -> sheets (sheet_id));
diesel::joinable!(indicator_values -> indicators (indicator_id));
diesel::joinable!(users -> departments (department_id));
diesel::joinable!(rounds -> plans (plan_id));
diesel::joinable!(audit_log -> users (user_id));
diesel::joinable!(audit_log -> sheets (sheet_id));

diesel::allow_tables_to_appear_in_same_query!(
    plans,
    departments,
    focus_areas,
    initiatives,
    initiative_departments,
    reports,
    sheets,
    sheet_texts,
    action_items,
    schedule_cells,
    indicators,
    indicator_values,
    users,
    rounds,
    choices,
    audit_log,
);

diesel::table! {
    login_throttle (key) {
        key -> Text,
        failures -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_failure_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> Integer,
        key -> Text,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    pending_drafts (token) {
        token -> Text,
        owner_id -> Integer,
        sheet_id -> Integer,
        form -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(pending_drafts -> sheets (sheet_id));
diesel::joinable!(pending_drafts -> users (owner_id));
diesel::allow_tables_to_appear_in_same_query!(pending_drafts, sheets);

diesel::table! {
    sessions (key_hash) {
        key_hash -> Text,
        user_id -> Integer,
        data -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        user_agent -> Text,
        address -> Text,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(sessions, users);
diesel::allow_tables_to_appear_in_same_query!(pending_drafts, users);

diesel::table! {
    indicator_settings (plan_id) {
        plan_id -> Integer,
        rule -> Text,
        print_charts -> Bool,
    }
}

diesel::table! {
    indicator_bands (id) {
        id -> Integer,
        plan_id -> Integer,
        position -> Integer,
        label -> Text,
        symbol -> Text,
        colour -> Text,
        min_percent -> Nullable<Double>,
    }
}

diesel::joinable!(indicator_settings -> plans (plan_id));
diesel::joinable!(indicator_bands -> plans (plan_id));
diesel::allow_tables_to_appear_in_same_query!(indicator_settings, plans);
diesel::allow_tables_to_appear_in_same_query!(indicator_bands, plans);

diesel::table! {
    comments (id) {
        id -> Integer,
        sheet_id -> Integer,
        field -> Nullable<Text>,
        parent_id -> Nullable<Integer>,
        author_id -> Integer,
        body -> Text,
        created_at -> Timestamp,
        resolved_at -> Nullable<Timestamp>,
        resolved_by -> Nullable<Integer>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Integer,
        user_id -> Integer,
        sheet_id -> Nullable<Integer>,
        message -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Integer,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        link -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claim -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reminders_sent (sheet_id, round_id, kind) {
        sheet_id -> Integer,
        round_id -> Integer,
        kind -> Text,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    opinions (id) {
        id -> Integer,
        sheet_id -> Integer,
        opinion -> Text,
        reply -> Text,
        status -> Text,
        created_by -> Integer,
        created_at -> Timestamp,
        replied_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    area_opinions (id) {
        id -> Integer,
        area_id -> Integer,
        fiscal_year -> Integer,
        department_id -> Integer,
        opinion -> Text,
        reply -> Text,
        status -> Text,
        created_by -> Integer,
        created_at -> Timestamp,
        replied_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(area_opinions -> focus_areas (area_id));
diesel::joinable!(area_opinions -> departments (department_id));
diesel::allow_tables_to_appear_in_same_query!(area_opinions, focus_areas);
diesel::allow_tables_to_appear_in_same_query!(area_opinions, departments);
diesel::joinable!(opinions -> sheets (sheet_id));
diesel::allow_tables_to_appear_in_same_query!(opinions, sheets);
diesel::allow_tables_to_appear_in_same_query!(opinions, initiatives);
diesel::allow_tables_to_appear_in_same_query!(opinions, focus_areas);
diesel::allow_tables_to_appear_in_same_query!(opinions, departments);
diesel::joinable!(comments -> sheets (sheet_id));
diesel::joinable!(notifications -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(comments, users);
diesel::allow_tables_to_appear_in_same_query!(notifications, users);
diesel::allow_tables_to_appear_in_same_query!(comments, sheets);
