//! Query parameters follow the rule every text entering the core follows
//! (`domain::text`): no control character but newline and tab, and a finite
//! length. One check for every address, before any handler runs.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::problem::ApiError;
use crate::domain::text::check_text;

/// The longest value a query parameter takes (a search text, a date, an id).
const MAX_QUERY_CHARS: usize = 200;

pub async fn query_text(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !req.query_string().is_empty() {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
            .map_err(|_| ApiError::bad_request("parameter query tidak dapat dibaca"))?;
        for (name, value) in pairs {
            let shown: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
            check_text(&name, 40)
                .and_then(|_| check_text(&value, MAX_QUERY_CHARS))
                .map_err(|m| ApiError::bad_request(format!("parameter {shown}: {m}")))?;
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}
