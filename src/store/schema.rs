// Diesel table definitions; kept by hand in step with migrations/{sqlite,postgres}.

diesel::table! {
    institutions (id) {
        id -> BigInt,
        name -> Text,
        short_name -> Nullable<Text>,
        kind -> Text,
        region_code -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        parent_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        document_set -> Nullable<Text>,
    }
}

diesel::table! {
    people (id) {
        id -> BigInt,
        name -> Text,
        position -> Nullable<Text>,
        nip -> Nullable<Text>,
        nik -> Nullable<Text>,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    data_elements (code) {
        code -> Text,
        label -> Text,
        protected -> Bool,
        position -> Integer,
    }
}

diesel::table! {
    agreements (id) {
        id -> BigInt,
        kind -> Text,
        amends_id -> Nullable<BigInt>,
        amends_number -> Nullable<Text>,
        title -> Text,
        purpose -> Nullable<Text>,
        signed_on -> Nullable<Date>,
        signed_place -> Nullable<Text>,
        expires_on -> Nullable<Date>,
        terminated_on -> Nullable<Date>,
        termination_reason -> Nullable<Text>,
        termination_note -> Nullable<Text>,
        approval_number -> Nullable<Text>,
        approval_date -> Nullable<Date>,
        approval_subject -> Nullable<Text>,
        iso27001_months -> Integer,
        iso27001_due_on -> Nullable<Date>,
        report_months -> Text,
        report_deadline_working_days -> Integer,
        renewal_notice_months -> Integer,
        card_reader -> Bool,
        first_institution_id -> BigInt,
        second_institution_id -> BigInt,
        renewal_window_starts_on -> Nullable<Date>,
        renewed_on -> Nullable<Date>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        stage -> Text,
        renews_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    agreement_parties (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        side -> Text,
        institution_id -> BigInt,
        number -> Nullable<Text>,
        recital -> Nullable<Text>,
        signatory_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    legal_bases (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        position -> Integer,
        text -> Text,
    }
}

diesel::table! {
    return_data_items (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        position -> Integer,
        item -> Text,
    }
}

diesel::table! {
    access_scopes (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        method -> Text,
        daily_quota -> Nullable<Integer>,
        unlimited_after_poc -> Bool,
    }
}

diesel::table! {
    scope_elements (scope_id, element_code) {
        scope_id -> BigInt,
        element_code -> Text,
        position -> Integer,
    }
}

diesel::table! {
    juknis (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        number -> Nullable<Text>,
        date -> Nullable<Date>,
        place -> Nullable<Text>,
        ip_lan -> Nullable<Text>,
        bandwidth -> Nullable<Text>,
        cost_bearer -> Nullable<Text>,
        estimated_connection -> Nullable<Text>,
        web_portal_ip -> Nullable<Text>,
        return_data_url -> Nullable<Text>,
        sam_activation_url -> Nullable<Text>,
        report_email -> Nullable<Text>,
    }
}

diesel::table! {
    juknis_people (id) {
        id -> BigInt,
        juknis_id -> BigInt,
        role -> Text,
        position_in_list -> Integer,
        side -> Text,
        name -> Text,
        position -> Nullable<Text>,
        nip -> Nullable<Text>,
        nik -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
    }
}

diesel::table! {
    applications (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        name -> Text,
        method -> Text,
        poc_status -> Text,
        poc_request_number -> Nullable<Text>,
        poc_request_date -> Nullable<Date>,
        poc_scheduled_on -> Nullable<Date>,
        poc_result_number -> Nullable<Text>,
        poc_result_date -> Nullable<Date>,
    }
}

diesel::table! {
    statements (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        kind -> Text,
        signer_id -> BigInt,
        signed_on -> Nullable<Date>,
        meterai -> Bool,
        covers_renewal -> Bool,
    }
}

diesel::table! {
    certificates (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        kind -> Text,
        number -> Nullable<Text>,
        issuer -> Nullable<Text>,
        issued_on -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        submitted_on -> Nullable<Date>,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        year -> Integer,
        semester -> Integer,
        submitted_on -> Nullable<Date>,
        channel -> Nullable<Text>,
        nik_hits -> Nullable<BigInt>,
        return_data_rows -> Nullable<BigInt>,
        evaluated_on -> Nullable<Date>,
        evaluation -> Nullable<Text>,
    }
}

diesel::table! {
    renewals (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        requested_on -> Date,
        request_number -> Nullable<Text>,
        request_date -> Nullable<Date>,
    }
}

diesel::joinable!(agreement_parties -> agreements (agreement_id));
diesel::joinable!(agreement_parties -> institutions (institution_id));
diesel::joinable!(agreement_parties -> people (signatory_id));
diesel::joinable!(statements -> people (signer_id));
diesel::joinable!(scope_elements -> access_scopes (scope_id));
diesel::joinable!(juknis_people -> juknis (juknis_id));

diesel::allow_tables_to_appear_in_same_query!(
    institutions,
    people,
    data_elements,
    agreements,
    agreement_parties,
    legal_bases,
    return_data_items,
    access_scopes,
    scope_elements,
    juknis,
    juknis_people,
    applications,
    statements,
    certificates,
    reports,
    renewals,
    users,
);

diesel::table! {
    holidays (date) {
        date -> Date,
        kind -> Text,
        name -> Text,
        source -> Nullable<Text>,
    }
}

diesel::table! {
    holiday_years (year) {
        year -> Integer,
        decree -> Nullable<Text>,
        origin -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    obligation_waivers (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        obligation_key -> Text,
        reason -> Text,
        waived_on -> Date,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sam_returns (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        returned_on -> Date,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        dedupe_key -> Text,
        agreement_id -> Nullable<BigInt>,
        obligation_key -> Nullable<Text>,
        occasion -> Text,
        due_on -> Nullable<Date>,
        recipient -> Text,
        cc -> Nullable<Text>,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    agreements,
    holidays,
    obligation_waivers,
    sam_returns,
    outbox
);

diesel::table! {
    registry_version (id) {
        id -> Integer,
        version -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        institution_id -> Nullable<BigInt>,
        disabled -> Bool,
        token_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        full_name -> Nullable<Text>,
        approver -> Bool,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        agreement_id -> Nullable<BigInt>,
        changes -> Text,
    }
}

diesel::joinable!(users -> institutions (institution_id));

diesel::table! {
    feed_tokens (user_id) {
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    feed_events (uid) {
        uid -> Text,
        due_on -> Date,
        sequence -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(feed_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(feed_tokens, users);

diesel::table! {
    login_failures (id) {
        id -> BigInt,
        scope -> Text,
        key_hash -> Text,
        failed_at -> Timestamp,
    }
}

diesel::table! {
    change_stamps (name) {
        name -> Text,
        stamp -> BigInt,
    }
}

diesel::table! {
    web_sessions (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        token_version -> Integer,
        csrf -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(web_sessions -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(web_sessions, users);

diesel::table! {
    invitations (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        purpose -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    evidence_files (sha256) {
        sha256 -> Text,
        size -> BigInt,
        media_type -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    submissions (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        obligation_key -> Text,
        sha256 -> Text,
        file_name -> Text,
        details -> Text,
        submitted_by -> Text,
        submitted_at -> Timestamp,
        state -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
    }
}

diesel::joinable!(invitations -> users (user_id));
diesel::joinable!(submissions -> agreements (agreement_id));
diesel::joinable!(submissions -> evidence_files (sha256));
diesel::allow_tables_to_appear_in_same_query!(invitations, users);
diesel::allow_tables_to_appear_in_same_query!(submissions, evidence_files, agreements);

diesel::table! {
    agreement_versions (id) {
        id -> BigInt,
        agreement_id -> BigInt,
        number -> Integer,
        saved_at -> Timestamp,
        actor -> Text,
        note -> Text,
        doc -> Text,
    }
}

diesel::joinable!(agreement_versions -> agreements (agreement_id));
diesel::allow_tables_to_appear_in_same_query!(agreement_versions, agreements);
