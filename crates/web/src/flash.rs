//! The banners a page shows after a form was sent back to it with `?ok=` or `?error=`.
//! The query carries only codes; each known code maps to a fixed Chinese sentence and
//! anything else shows nothing, so no text from a URL ever reaches a page.

use crate::ApiError;

/// The query a failed form redirects with: the error's code and, for bad input, the field
/// at fault — both from fixed sets, never the message.
pub(crate) fn error_query(e: &ApiError) -> String {
    let mut q = format!("error={}", e.code);
    if let Some(f) = e.field.as_deref().filter(|f| field_label(f).is_some()) {
        q.push_str("&field=");
        q.push_str(f);
    }
    q
}

/// The Chinese name of a form field, for the fields forms send.
fn field_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "reason" => "理由",
        "evidence" => "佐证材料",
        "comment" => "核验意见",
        "period" => "报告期",
        "text" => "进展情况",
        "percent" => "完成比例",
        "attachments" | "file" => "附件",
        "deadline" => "办理时限",
        "due_on" => "完成时限",
        "extension" => "延期申请",
        "version" => "版本",
        "action" => "操作",
        "id" => "事项编号",
        "title" => "事项名称",
        "kind" => "类别",
        "number" => "序号",
        "plan" => "所属方案",
        "chain" => "产业链",
        "lead_unit" => "牵头单位",
        "co_units" => "责任单位",
        "leader" => "牵头领导",
        "to" => "新牵头单位",
        "by" => "批示领导",
        "instruction" => "领导批示",
        "edit" => "修改内容",
        "target" | "targets" => "目标指标",
        _ => return None,
    })
}

/// The sentence for an error code (and field), or `None` for an unknown code.
pub(crate) fn error_text(code: &str, field: Option<&str>) -> Option<String> {
    let fixed = match code {
        "invalid_input" if field == Some("due_on") => {
            "已过完成时限，不能再申请延期；如确需调整，请联系专班办公室。"
        }
        "invalid_input" if field == Some("extension") => {
            "该事项的延期申请已有变化（已有待审批的申请，或已审批完毕），请刷新页面后查看。"
        }
        "invalid_transition" => "该事项当前状态下不能进行此操作，请刷新页面后查看。",
        "not_permitted" | "forbidden" => "无权进行此操作。",
        "outside_jurisdiction" => "该事项由其他专班办公室负责，本办公室不能进行此操作。",
        "self_verification" => "申请销号的单位不能核验本单位的申请，须由其他单位核验。",
        "escalation_at_top" => "该事项已处于督办最高一级，不能再升级督办。",
        "version_conflict" => "该事项刚被他人更新，请刷新页面后重新操作。",
        "not_found" => "未找到该事项或无权查看。",
        "report_failed" => "部分进展未能提交，请检查后重新填报。",
        "nothing_selected" => "请先勾选要交办的事项。",
        "nothing_changed" => "没有需要修改的内容。",
        "too_many_selected" => "一次最多交办 200 项，请分批交办。",
        "invalid_input" | "bad_request" => {
            return Some(match field.and_then(field_label) {
                Some(label) => format!("“{label}”填写有误，请检查后重新提交。"),
                None => "填写内容有误，请检查后重新提交。".to_owned(),
            });
        }
        "file_refused" => {
            "附件不符合要求：仅接受规定类型（PDF、图片、Word/Excel/WPS 文档、ZIP 压缩包）且不超过大小上限的文件，请检查后重新上传。"
        }
        "payload_too_large" => "上传的文件过大，请分次上传或压缩后重新上传。",
        "internal" => "系统暂时无法完成操作，请稍后重试。",
        _ => return None,
    };
    Some(fixed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn only_known_codes_speak_and_never_in_the_urls_words() {
        assert_eq!(error_text("<script>alert(1)</script>", None), None);
        assert_eq!(error_text("任意文字", None), None);
        assert!(error_text("invalid_transition", None).is_some());
        assert!(
            error_text("invalid_input", Some("due_on"))
                .unwrap()
                .contains("不能再申请延期")
        );
        assert_eq!(
            error_text("invalid_input", Some("reason")).as_deref(),
            Some("“理由”填写有误，请检查后重新提交。")
        );
        assert_eq!(
            error_text("invalid_input", Some("<b>x</b>")).as_deref(),
            Some("填写内容有误，请检查后重新提交。")
        );
    }

    #[test]
    fn the_query_carries_codes_only() {
        let e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            "reason: <script> must not be blank",
        )
        .field("reason");
        assert_eq!(error_query(&e), "error=invalid_input&field=reason");
        let e = ApiError::new(StatusCode::CONFLICT, "version_conflict", "x").field("odd field");
        assert_eq!(error_query(&e), "error=version_conflict");
    }
}
