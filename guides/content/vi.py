"""Tiếng Việt."""

TEXTS = {
    "cannot-sign-in": ("Tôi không đăng nhập được", "Cần kiểm tra gì khi máy tính xách tay không nhận tên người dùng hoặc mật khẩu.", [
        "Trước tiên hãy kết nối máy tính với internet. Một số máy cần internet để đăng nhập.",
        "Gõ tên người dùng và mật khẩu đúng như trong thư của trường. Kiểm tra xem phím Caps Lock đã tắt chưa.",
        "Khởi động lại máy: giữ nút nguồn cho đến khi máy tắt, rồi bật lại.",
        "Nếu vẫn không được, hãy cho chúng tôi biết ở bên dưới. Nhà trường có thể kiểm tra tài khoản.",
    ]),
    "forgotten-password": ("Tôi quên mật khẩu", "Cách lấy mật khẩu mới cho tài khoản học tập của con.", [
        "Đừng tạo tài khoản mới. Con phải dùng tài khoản của trường.",
        "Trên màn hình đăng nhập, chọn \"Forgot password\" nếu bạn thấy, rồi làm theo các bước.",
        "Nếu không thấy, hãy xin mật khẩu mới từ giáo viên của con hoặc văn phòng trường.",
        "Ghi lại mật khẩu mới và cất ở nơi an toàn.",
    ]),
    "wifi-laptop": ("Kết nối máy tính với Wi-Fi", "Kết nối với Wi-Fi ở nhà hoặc Wi-Fi của bộ phát 4G.", [
        "Bật bộ phát và chờ hai phút.",
        "Trên máy tính, chọn biểu tượng Wi-Fi ở góc màn hình và chọn tên Wi-Fi của bạn.",
        "Gõ mật khẩu Wi-Fi và chọn Connect. Tên và mật khẩu Wi-Fi của bộ phát có trên nhãn của nó.",
        "Nếu không kết nối được, hãy tắt rồi bật lại máy tính và bộ phát.",
    ]),
    "router-set-up": ("Cài đặt bộ phát 4G", "Bật bộ phát và kết nối máy tính với nó.", [
        "Sạc bộ phát một giờ trước khi dùng lần đầu. Để nguyên thẻ SIM bên trong.",
        "Giữ nút nguồn 3 giây cho đến khi đèn sáng.",
        "Trên máy tính, chọn tên Wi-Fi ghi trên nhãn của bộ phát và gõ mật khẩu ghi trên nhãn.",
        "Đặt bộ phát gần cửa sổ: ở đó sóng thường tốt hơn.",
    ]),
    "huawei-e5576-set-up": ("Cài đặt bộ phát Huawei E5576", "Các bước cho bộ phát 4G nhỏ Huawei E5576.", [
        "Tháo nắp sau. Kiểm tra pin và thẻ SIM đã đúng chỗ, rồi đóng nắp lại.",
        "Giữ nút nguồn 3 giây cho đến khi đèn sáng.",
        "Tên Wi-Fi (SSID) và mật khẩu (WIFI KEY) có trên nhãn dán dưới nắp sau. Chọn tên đó trên máy tính và gõ mật khẩu.",
        "Nếu đèn tín hiệu màu đỏ, hãy đưa bộ phát lại gần cửa sổ.",
    ]),
    "data-ran-out": ("Đã hết dữ liệu internet", "Phải làm gì khi internet ngừng vì đã dùng hết dữ liệu của tháng.", [
        "Dữ liệu được làm mới mỗi tháng. Ngày làm mới có trong thư bạn nhận cùng thiết bị.",
        "Video và trò chơi dùng rất nhiều dữ liệu. Hãy dùng ít hơn khi dữ liệu còn ít.",
        "Tắt cập nhật tự động trên các điện thoại kết nối với bộ phát.",
        "Nếu con cần thêm dữ liệu để học, hãy cho chúng tôi biết ở bên dưới. Chúng tôi có thể xin thêm.",
    ]),
    "charging": ("Không sạc được hoặc không bật được", "Kiểm tra bộ sạc, ổ cắm và pin.", [
        "Dùng bộ sạc đi kèm thiết bị và kiểm tra ổ cắm đã bật chưa.",
        "Để thiết bị sạc 30 phút, rồi thử bật lên.",
        "Giữ nút nguồn 15 giây, thả ra, rồi nhấn lại.",
        "Nếu bộ sạc bị hỏng hoặc nóng lên, hãy ngừng dùng và cho chúng tôi biết ở bên dưới.",
    ]),
    "broken-screen": ("Màn hình bị vỡ", "Giữ an toàn cho mọi người và cho chúng tôi biết về hư hỏng.", [
        "Nếu kính bị nứt, hãy ngừng dùng thiết bị. Kính vỡ có thể gây đứt tay.",
        "Đừng tự sửa và đừng mang ra tiệm sửa chữa.",
        "Tắt thiết bị và để xa tầm tay trẻ nhỏ.",
        "Nếu có thể, hãy chụp ảnh chỗ hỏng và thêm vào mẫu đơn bên dưới.",
    ]),
    "lost-or-stolen": ("Thiết bị bị mất hoặc bị trộm", "Hãy báo cho chúng tôi ngay để chúng tôi khóa thiết bị và thẻ SIM.", [
        "Trước tiên hãy tìm kỹ ở nhà, ở trường và trong túi.",
        "Nếu bị trộm, hãy báo cảnh sát qua số 101 hoặc trên mạng. Giữ lại số hồ sơ.",
        "Báo cho chúng tôi ở bên dưới càng sớm càng tốt. Chúng tôi sẽ khóa thiết bị và thẻ SIM.",
        "Nếu có ai đang gặp nguy hiểm, hãy gọi 999.",
    ]),
}
