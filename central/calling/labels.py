"""Vietnamese words of the calling pages: why an action was refused, the actions and states."""

from __future__ import annotations

REFUSALS = {
    "counter_paused": "Quầy đang tạm dừng. Bấm “Mở quầy” để gọi tiếp.",
    "counter_closed": "Quầy đã đóng. Bấm “Mở quầy” để gọi tiếp.",
    "no_services": "Quầy chưa chọn lĩnh vực nào.",
    "no_counter": "Hãy chọn quầy làm việc trước.",
    "nothing_called": "Quầy chưa gọi số nào.",
    "ticket_unknown": "Không có số này trong ngày hôm nay.",
    "ticket_voided": "Số này đã bị hủy.",
    "ticket_served": "Số này đã được phục vụ xong.",
    "ticket_not_called_here": "Số này không đang được gọi tại quầy này.",
    "ticket_not_no_show": "Số này không bị đánh dấu vắng mặt.",
    "not_serving": "Quầy này không phục vụ lĩnh vực của số này.",
    "no_show_expired": "Đã quá thời gian được gọi lại số vắng mặt.",
    "transfer_target_missing": "Hãy chọn lĩnh vực hoặc quầy để chuyển đến.",
    "unknown_service": "Lĩnh vực này không có ở đơn vị.",
    "unknown_counter": "Quầy này không có ở đơn vị.",
    "bad_request": "Yêu cầu không hợp lệ. Hãy tải lại trang.",
    "session_expired": "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
}

DONE = {
    "call_next": "Đã gọi số {ticket}.",
    "call_next_empty": "Không còn ai chờ ở các lĩnh vực của quầy.",
    "recall": "Đã gọi lại số {ticket}.",
    "no_show": "Số {ticket}: vắng mặt.",
    "call_back": "Đã gọi lại số vắng mặt {ticket}.",
    "served": "Số {ticket}: đã phục vụ xong.",
    "transfer": "Đã chuyển số {ticket}.",
    "pause": "Quầy tạm dừng.",
    "close": "Quầy đã đóng.",
    "open": "Quầy đã mở.",
}

STATES = {
    "waiting": "Đang chờ",
    "called": "Đang được gọi",
    "served": "Đã phục vụ xong",
    "no_show": "Vắng mặt",
}

COUNTER_MODES = {"open": "Đang mở", "paused": "Tạm dừng", "closed": "Đã đóng"}
ROLES = {"officer": "Cán bộ tiếp nhận", "supervisor": "Trưởng bộ phận"}
PRIORITY = {
    "elderly": "Người cao tuổi",
    "disabled": "Người khuyết tật",
    "pregnant": "Phụ nữ mang thai",
    "merit": "Người có công",
}


def refusal(code: str) -> str:
    return REFUSALS.get(code, REFUSALS["bad_request"])


def done(action: str, ticket: str | None) -> str:
    key = "call_next_empty" if action == "call_next" and ticket is None else action
    return DONE.get(key, "").format(ticket=ticket or "")
