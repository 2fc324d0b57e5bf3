"""Articles written for the project's test site (fictional events, Vietnamese, news-site style)."""

from __future__ import annotations

import random

from mediawatch.text import fold

STORIES = [
    {
        "slug": "mua-lu-gay-sat-lo-tren-quoc-lo-4d-qua-sa-pa-100101",
        "title": "Mưa lũ gây sạt lở nghiêm trọng trên Quốc lộ 4D qua Sa Pa",
        "section": "Thời sự",
        "published": "2026-07-14T07:30:00+07:00",
        "date_text": "Thứ ba, 14/7/2026, 07:30 (GMT+7)",
        "sapo": "Mưa lớn kéo dài từ đêm 13/7 khiến nhiều điểm trên Quốc lộ 4D đoạn qua phường Sa Pa bị sạt "
                "lở, giao thông ách tắc nhiều giờ.",
        "author": "Minh Đức",
        "paragraphs": [
            "Theo Ban Chỉ huy phòng chống thiên tai tỉnh Lào Cai, lượng mưa đo được tại trạm Sa Pa trong "
            "đêm 13 và rạng sáng 14/7 vượt 180 mm. Đất đá từ taluy dương đổ xuống mặt đường tại ba vị trí, "
            "vị trí lớn nhất có khối lượng khoảng 2.000 m3.",
            "Lực lượng quản lý đường bộ đã huy động bốn máy xúc và hàng chục công nhân túc trực để thông "
            "tuyến. Đến trưa cùng ngày, một làn đường đã được mở tạm thời cho xe con và xe khách dưới 30 chỗ.",
            "Cơ quan chức năng khuyến cáo người dân và du khách hạn chế di chuyển qua đèo Ô Quy Hồ trong "
            "thời gian mưa lớn, theo dõi thông tin cảnh báo trên các phương tiện thông tin đại chúng.",
            "Trung tâm Khí tượng thủy văn tỉnh dự báo mưa vừa, mưa to còn tiếp diễn đến hết ngày 16/7, nguy "
            "cơ lũ quét và sạt lở đất ở các xã vùng cao rất lớn. Các địa phương được yêu cầu rà soát khu dân "
            "cư ven suối, sẵn sàng phương án di dời.",
            "Chủ tịch UBND tỉnh đã ký công điện yêu cầu các sở, ngành và chính quyền cơ sở tuyệt đối không "
            "để người dân đi qua ngầm tràn, khu vực nước chảy xiết khi chưa bảo đảm an toàn.",
        ],
    },
    {
        "slug": "khoi-cong-cau-moi-noi-phuong-coc-leu-voi-xa-van-ban-100102",
        "title": "Khởi công cầu mới nối phường Cốc Lếu với xã Văn Bàn",
        "section": "Kinh tế",
        "published": "2026-07-12T09:15:00+07:00",
        "date_text": "12/07/2026 09:15",
        "sapo": "Cây cầu dài 420 m với tổng vốn đầu tư hơn 380 tỷ đồng được kỳ vọng rút ngắn thời gian đi "
                "lại giữa trung tâm tỉnh và các xã phía nam.",
        "author": "Thu Hà",
        "paragraphs": [
            "Sáng 12/7, UBND tỉnh Lào Cai tổ chức lễ khởi công dự án xây dựng cầu mới bắc qua sông Hồng. "
            "Công trình có bề rộng 16 m, bốn làn xe, được thiết kế theo tiêu chuẩn cầu bê tông cốt thép dự "
            "ứng lực.",
            "Theo chủ đầu tư, dự án dự kiến hoàn thành trong 24 tháng. Khi đưa vào sử dụng, thời gian di "
            "chuyển từ phường Cốc Lếu đến trung tâm xã Văn Bàn giảm khoảng 40 phút so với tuyến hiện tại.",
            "Phát biểu tại buổi lễ, lãnh đạo tỉnh đề nghị nhà thầu bảo đảm tiến độ, chất lượng và an toàn "
            "lao động, đồng thời phối hợp chặt chẽ với địa phương trong công tác giải phóng mặt bằng.",
            "Người dân hai bên bờ sông bày tỏ phấn khởi vì mong chờ cây cầu từ nhiều năm nay. Ông Lý Văn "
            "Sinh, một hộ kinh doanh nông sản, cho biết việc vận chuyển hàng hóa sẽ thuận lợi hơn nhiều.",
        ],
    },
    {
        "slug": "le-hoi-den-thuong-thu-hut-hang-nghin-du-khach-100103",
        "title": "Lễ hội Đền Thượng thu hút hàng nghìn du khách",
        "section": "Văn hóa",
        "published": "2026-07-10T20:00:00+07:00",
        "date_text": "Thứ sáu, 10/7/2026 - 20:00",
        "sapo": "Lễ hội truyền thống năm nay có nhiều hoạt động văn hóa, thể thao đặc sắc, tái hiện nghi lễ "
                "rước kiệu và các trò chơi dân gian của đồng bào các dân tộc.",
        "author": "Hải Yến",
        "paragraphs": [
            "Từ sáng sớm, dòng người đã đổ về khu di tích Đền Thượng để dâng hương, tham dự phần lễ trang "
            "nghiêm với nghi thức tế cổ truyền. Ban tổ chức ước tính có khoảng 15.000 lượt khách trong ngày "
            "khai hội.",
            "Phần hội diễn ra sôi nổi với các môn kéo co, đẩy gậy, ném còn và thi gói bánh chưng. Nhiều đội "
            "văn nghệ quần chúng đến từ các xã vùng cao mang tới những tiết mục múa xòe, hát then đặc sắc.",
            "Để bảo đảm an ninh trật tự, lực lượng công an phường bố trí chốt trực tại các cổng ra vào, "
            "hướng dẫn du khách gửi xe đúng nơi quy định và niêm yết giá dịch vụ công khai.",
            "Lễ hội kéo dài đến hết ngày 12/7, là dịp quảng bá hình ảnh vùng đất, con người và tiềm năng du "
            "lịch văn hóa tâm linh của tỉnh tới du khách trong và ngoài nước.",
        ],
    },
    {
        "slug": "nong-dan-bac-ha-duoc-mua-man-tam-hoa-100104",
        "title": "Nông dân Bắc Hà được mùa mận tam hoa",
        "section": "Kinh tế",
        "published": "2026-06-20T06:45:00+07:00",
        "date_text": "Cập nhật: 06:45 ngày 20/06/2026",
        "sapo": "Sản lượng mận tam hoa năm nay ước đạt hơn 12.000 tấn, giá bán ổn định giúp nhiều hộ dân có "
                "thu nhập cao.",
        "author": "Quang Huy",
        "paragraphs": [
            "Những ngày này, trên các sườn đồi ở xã Bắc Hà, người dân tất bật thu hoạch mận. Thời tiết thuận "
            "lợi trong mùa ra hoa giúp cây đậu quả nhiều, chất lượng quả đồng đều hơn các năm trước.",
            "Giá mận tại vườn dao động từ 20.000 đến 35.000 đồng mỗi kilôgam tùy loại. Nhiều hợp tác xã đã "
            "ký hợp đồng bao tiêu với các doanh nghiệp phân phối ở Hà Nội và các tỉnh đồng bằng.",
            "Chính quyền địa phương phối hợp với ngành nông nghiệp hướng dẫn bà con thu hái, phân loại và "
            "đóng gói theo tiêu chuẩn, đồng thời đẩy mạnh bán hàng qua các sàn thương mại điện tử.",
            "Bà Giàng Thị Mai cho biết gia đình bà có 600 cây mận, năm nay thu khoảng 15 tấn quả, trừ chi "
            "phí còn lãi hơn 200 triệu đồng, đủ để sửa lại nhà và cho các con đi học.",
        ],
    },
    {
        "slug": "benh-vien-khu-vuc-yen-bai-trien-khai-kham-benh-tu-xa-100105",
        "title": "Bệnh viện khu vực Yên Bái triển khai khám bệnh từ xa",
        "section": "Xã hội",
        "published": "2026-07-08T14:20:00+07:00",
        "date_text": "Thứ tư, 8/7/2026, 14:20 (GMT+7)",
        "sapo": "Người dân ở các xã vùng cao thuộc khu vực Yên Bái cũ có thể được bác sĩ tuyến tỉnh tư vấn "
                "qua video mà không phải đi xa.",
        "author": "Ngọc Ánh",
        "paragraphs": [
            "Hệ thống khám chữa bệnh từ xa được kết nối tới 25 trạm y tế xã, cho phép bác sĩ chuyên khoa hội "
            "chẩn, đọc kết quả xét nghiệm và chẩn đoán hình ảnh trực tuyến cùng y sĩ tại chỗ.",
            "Giám đốc bệnh viện cho biết trong tháng đầu vận hành đã có hơn 300 lượt người bệnh được tư vấn, "
            "trong đó nhiều trường hợp được phát hiện sớm bệnh lý tim mạch và đái tháo đường.",
            "Sở Y tế tỉnh Lào Cai đánh giá mô hình giúp giảm tải cho tuyến trên, tiết kiệm chi phí đi lại "
            "cho người dân, đặc biệt là người cao tuổi và phụ nữ mang thai ở vùng sâu, vùng xa.",
            "Thời gian tới, ngành y tế sẽ mở rộng kết nối tới toàn bộ trạm y tế trên địa bàn và bồi dưỡng "
            "kỹ năng sử dụng thiết bị cho đội ngũ nhân viên y tế cơ sở.",
        ],
    },
    {
        "slug": "cho-phien-bac-ha-vao-mua-du-lich-100106",
        "title": "Chợ phiên Bắc Hà rộn ràng vào mùa du lịch",
        "section": "Du lịch",
        "published": "2026-07-05T08:00:00+07:00",
        "date_text": "Chủ nhật, 5/7/2026, 08:00 (GMT+7)",
        "sapo": "Mỗi sáng Chủ nhật, chợ phiên Bắc Hà lại đông vui với sắc màu thổ cẩm và tiếng khèn của đồng "
                "bào các dân tộc vùng cao.",
        "author": "Phương Thảo",
        "paragraphs": [
            "Từ tờ mờ sáng, người dân từ các bản xa đã gùi hàng xuống chợ: rau rừng, mật ong, gà đen, thổ "
            "cẩm và những chiếc vòng bạc chạm khắc tinh xảo. Khu chợ trâu là nơi thu hút đông du khách nhất.",
            "Nhiều du khách nước ngoài thích thú thưởng thức món thắng cố, phở chua và rượu ngô men lá. Các "
            "hộ kinh doanh ăn uống được hướng dẫn niêm yết giá, giữ vệ sinh an toàn thực phẩm.",
            "Ban quản lý chợ cho biết lượng khách tháng này tăng khoảng 30% so với cùng kỳ năm trước nhờ các "
            "tour kết hợp tham quan dinh thự Hoàng A Tưởng và các bản văn hóa cộng đồng.",
            "Chính quyền địa phương đang xây dựng đề án bảo tồn không gian chợ phiên truyền thống, tránh "
            "thương mại hóa, giữ gìn nét văn hóa đặc trưng của vùng cao.",
        ],
    },
]

# The syndicated copy on site B: new headline, an added intro sentence, same body.
SYNDICATED = {
    "slug": "sat-lo-nghiem-trong-o-sa-pa-giao-thong-te-liet-200201",
    "title": "Sạt lở ở Sa Pa, giao thông tê liệt nhiều giờ",
    "section": "Thời sự",
    "published": "2026-07-14T09:00:00+07:00",
    "date_text": "14-07-2026 - 09:00:00 AM",
    "sapo": "Theo báo Lào Cai, mưa lớn khiến Quốc lộ 4D qua Sa Pa sạt lở tại nhiều vị trí.",
    "author": "Theo Báo Lào Cai",
}

SHORT_PAGE = {
    "slug": "video-toan-canh-mua-lu-100199",
    "title": "Video: Toàn cảnh mưa lũ",
    "section": "Video",
    "published": "2026-07-14T10:00:00+07:00",
    "date_text": "14/07/2026 10:00",
    "sapo": "Xem video.",
    "author": "PV",
    "paragraphs": ["Mời quý độc giả xem video."],
}

_SUBJECTS = ["UBND tỉnh", "Sở Nông nghiệp và Môi trường", "Công an tỉnh", "Sở Y tế", "Sở Giáo dục và Đào tạo",
             "Ban Quản lý dự án", "Hội Nông dân", "Đoàn Thanh niên", "Sở Văn hóa, Thể thao và Du lịch",
             "Chi cục Kiểm lâm", "Bộ đội Biên phòng tỉnh", "Hợp tác xã chè"]
_PLACES = ["phường Cam Đường", "xã Bát Xát", "phường Sa Pa", "xã Mường Khương", "xã Si Ma Cai", "xã Bảo Yên",
           "phường Yên Bái", "xã Mù Cang Chải", "phường Nghĩa Lộ", "xã Trạm Tấu", "xã Lục Yên", "xã Văn Chấn"]
_VERBS = ["triển khai kế hoạch", "kiểm tra tiến độ", "tổ chức hội nghị về", "phát động phong trào",
          "tổng kết công tác", "hỗ trợ người dân trong", "đẩy mạnh tuyên truyền về", "rà soát việc thực hiện"]
_TOPICS = ["phòng chống thiên tai", "chuyển đổi số", "xây dựng nông thôn mới", "bảo vệ rừng", "giảm nghèo bền vững",
           "an toàn giao thông", "phát triển du lịch cộng đồng", "tiêm chủng mở rộng", "cải cách hành chính",
           "tiêu thụ nông sản", "bảo đảm an ninh trật tự", "giáo dục vùng cao"]
_DETAILS = [
    "Hội nghị đã thống nhất nhiều giải pháp cụ thể, phân công trách nhiệm cho từng đơn vị và đặt mốc thời gian hoàn thành.",
    "Người dân đánh giá cao sự vào cuộc quyết liệt của chính quyền cơ sở và mong muốn chương trình được duy trì lâu dài.",
    "Kinh phí thực hiện được bố trí từ ngân sách tỉnh và nguồn lồng ghép các chương trình mục tiêu quốc gia.",
    "Qua kiểm tra, đoàn công tác ghi nhận nhiều kết quả tích cực nhưng cũng chỉ ra một số tồn tại cần khắc phục sớm.",
    "Các địa phương được yêu cầu báo cáo kết quả định kỳ hằng tháng để kịp thời tháo gỡ khó khăn, vướng mắc.",
    "Đại diện lãnh đạo địa phương cho biết sẽ tiếp tục huy động nguồn lực xã hội hóa để mở rộng mô hình.",
    "Thời tiết thuận lợi cùng sự chuẩn bị chu đáo giúp các hoạt động diễn ra an toàn, đúng kế hoạch đề ra.",
    "Nhiều hộ gia đình đã chủ động đăng ký tham gia, góp phần lan tỏa phong trào ra các thôn, bản lân cận.",
    "Lực lượng chức năng tăng cường tuần tra, kiểm soát, xử lý nghiêm các trường hợp vi phạm theo quy định.",
    "Ngành chức năng khuyến cáo người dân theo dõi thông tin chính thống, không chia sẻ tin chưa được kiểm chứng.",
]


def generated_story(index: int) -> dict:
    """A plausible, unique article for the benchmark site (seeded by its index)."""
    rng = random.Random(index)
    subject, place = rng.choice(_SUBJECTS), rng.choice(_PLACES)
    verb, topic = rng.choice(_VERBS), rng.choice(_TOPICS)
    day = 1 + index % 28
    paragraphs = []
    for _ in range(5):
        sentences = rng.sample(_DETAILS, 3)
        paragraphs.append(f"Tại {rng.choice(_PLACES)}, {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
                          f"{rng.choice(_TOPICS)} (mã tin {index}-{rng.randint(1000, 9999)}). " + " ".join(sentences))
    return {
        "slug": f"{fold(topic).replace(' ', '-')}-{index:06d}",
        "title": f"{subject} {verb} {topic} tại {place} (số {index})",
        "section": rng.choice(["Thời sự", "Kinh tế", "Xã hội", "Văn hóa"]),
        "published": f"2026-06-{day:02d}T{8 + index % 10:02d}:{index % 60:02d}:00+07:00",
        "date_text": f"{day:02d}/06/2026 {8 + index % 10:02d}:{index % 60:02d}",
        "sapo": f"{subject} vừa {verb} {topic} tại {place}, thu hút sự quan tâm của đông đảo người dân.",
        "author": "PV",
        "paragraphs": paragraphs,
    }
