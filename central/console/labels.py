"""What the console says, in Vietnamese (operators read it): states, printer states, commands,
event types, rollout states and the notices after an action. One place, so a wording is fixed
once and a test can check every label is NFC text with its diacritics."""

from __future__ import annotations

CONNECTION = {
    "online": "Trực tuyến",
    "offline": "Mất kết nối",
    "never": "Chưa kết nối",
    "revoked": "Đã thu hồi",
}

PRINTER = {
    "ready": "Sẵn sàng",
    "paper_near_end": "Sắp hết giấy",
    "paper_out": "Hết giấy",
    "cover_open": "Nắp máy in mở",
    "offline": "Máy in mất kết nối",
    "error": "Máy in lỗi",
    "no_confirmation": "Máy in không xác nhận",
    None: "Chưa rõ",
}

COMMANDS = {
    "sync_now": "Đồng bộ ngay",
    "restart_ui": "Khởi động lại giao diện",
    "print_test": "In trang thử",
    "reprint_ticket": "In lại vé",
    "upload_logs": "Gửi nhật ký",
}

EVENTS = {
    "ticket.issued": "Phát vé",
    "ticket.printed": "Đã in vé",
    "ticket.print_failed": "In vé lỗi",
    "ticket.print_unknown": "Chưa rõ đã in vé",
    "ticket.reprinted": "In lại vé",
    "ticket.voided": "Hủy vé",
    "rating.submitted": "Đánh giá",
    "printer.status": "Máy in",
    "command.done": "Lệnh đã chạy",
    "update.result": "Cập nhật",
    "kiosk.started": "Kiosk khởi động",
    "kiosk.error": "Lỗi kiosk",
}

ROLLOUT = {
    "running": "Đang triển khai",
    "paused": "Tạm dừng",
    "halted": "Đã dừng do lỗi",
    "rolled_back": "Đã quay lui",
    "done": "Đã kết thúc",
}

PROBLEMS = {
    "offline": "mất kết nối",
    "never": "chưa từng kết nối",
    "printer": "máy in",
    "backlog": "tồn đọng sự kiện",
    "rejected": "sự kiện bị từ chối",
    "ui": "giao diện không phản hồi",
    "error": "có lỗi",
}

RATINGS = {3: "Rất hài lòng", 2: "Hài lòng", 1: "Không hài lòng"}

# Notices after an action, by the code in the redirect (?done=…): never text from the URL.
NOTICES = {
    "command": "Đã xếp lệnh; kiosk nhận lệnh ở lần báo trạng thái tiếp theo.",
    "rollout_started": "Đã bắt đầu triển khai.",
    "rollout_advance": "Đã chuyển sang giai đoạn tiếp theo.",
    "rollout_pause": "Đã tạm dừng triển khai.",
    "rollout_resume": "Đã tiếp tục triển khai.",
    "rollout_rollback": "Đã quay lui: các kiosk đã cập nhật sẽ về phiên bản cũ.",
    "logged_out": "Đã đăng xuất.",
}
