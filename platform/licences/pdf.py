"""The electronic business licence as a PDF: reportlab with its standard CJK CID font.

STSong-Light is one of the CJK fonts every PDF reader provides, so the file needs no embedded
font and nothing from the system: the Chinese renders wherever the PDF is opened.
"""

import datetime
import io
from decimal import Decimal

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.textsplit import wordSplit
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from licences.selectors import Licence

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

RED = (0.72, 0.11, 0.11)
MARGIN = 64
QR_SIZE = 130
# The rows stop above the registration authority and the QR code; long text takes smaller type.
TEXT_FLOOR = 270
TEXT_SIZES = (13, 11, 10, 9, 8)


def capital_text(amount: Decimal) -> str:
    """Registered capital as licences print it: in 万元 (ten thousands) of renminbi."""
    wan = (amount / Decimal(10_000)).normalize()
    return f"人民币{wan:f}万元"


def date_text(iso_date: str) -> str:
    """A date as licences print it: 2026年12月01日."""
    try:
        day = datetime.date.fromisoformat(iso_date)
    except ValueError:
        return iso_date
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _frame(page: canvas.Canvas, width: float, height: float) -> None:
    page.setStrokeColorRGB(*RED)
    page.setLineWidth(3)
    page.rect(MARGIN / 2, MARGIN / 2, width - MARGIN, height - MARGIN)


def _lines(text: str, size: float, width: float) -> list[str]:
    """Text wrapped to ``width``: at spaces first, then inside runs of Chinese, which have none."""
    lines: list[str] = []
    for line in simpleSplit(text or "", FONT, size, width) or [""]:
        if pdfmetrics.stringWidth(line, FONT, size) <= width:
            lines.append(line)
        else:
            lines.extend(part for _, part in wordSplit(line, width, FONT, size))
    return lines


def _size_that_fits(rows: list[tuple[str, str]], *, top: float, width: float) -> float:
    """The largest type size at which every row fits above the QR code; the smallest otherwise."""
    text_width = width - 2 * MARGIN - 90
    for size in TEXT_SIZES:
        lines = sum(len(_lines(value, size, text_width)) for _, value in rows)
        if top - lines * size * 1.7 - len(rows) * 10 >= TEXT_FLOOR:
            return size
    return TEXT_SIZES[-1]


def licence_pdf_render(*, licence: Licence) -> bytes:
    width, height = A4
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    page.setTitle(f"营业执照 {licence.name}")
    page.setAuthor(licence.registration_authority)
    _frame(page, width, height)

    page.setFillColorRGB(*RED)
    page.setFont(FONT, 40)
    page.drawCentredString(width / 2, height - 130, "营业执照")
    page.setFont(FONT, 14)
    page.drawCentredString(width / 2, height - 156, "（电子营业执照）")
    page.setFillColorRGB(0, 0, 0)
    page.setFont(FONT, 11)
    page.drawString(MARGIN, height - 196, f"统一社会信用代码 {licence.credit_code}")
    page.drawRightString(width - MARGIN, height - 196, f"编号 {licence.number}")

    # Page one's foot first: a long business scope may continue on a second page.
    qr = io.BytesIO()
    segno.make(licence.verify_url, error="m").save(qr, kind="png", scale=6, border=4)
    qr.seek(0)
    page.drawImage(ImageReader(qr), width - MARGIN - QR_SIZE, 110, QR_SIZE, QR_SIZE)
    page.setFont(FONT, 9)
    page.drawCentredString(width - MARGIN - QR_SIZE / 2, 98, "扫码验证真伪")

    page.setFont(FONT, 13)
    page.drawString(MARGIN, 150, f"登记机关  {licence.registration_authority}")
    page.drawString(MARGIN, 126, f"发照日期  {date_text(licence.established_on)}")
    page.setFont(FONT, 8)
    page.drawString(MARGIN, 60, "本执照由登记机关以Ed25519数字签名签发，二维码中的令牌可用登记机关公布的公钥离线验证。")

    rows = [
        ("名称", licence.name),
        ("类型", licence.entity_type),
        ("法定代表人", licence.legal_representative),
        ("注册资本", capital_text(licence.registered_capital)),
        ("成立日期", date_text(licence.established_on)),
        ("住所", licence.address),
        ("经营范围", licence.business_scope),
    ]
    top = height - 250
    size = _size_that_fits(rows, top=top, width=width)
    y, floor = top, TEXT_FLOOR
    label_width, text_width = 90, width - 2 * MARGIN - 90
    for label, value in rows:
        page.setFont(FONT, size)
        page.drawString(MARGIN, y, label)
        for line in _lines(value, size, text_width):
            if y < floor:
                # A business scope too long even in the smallest type continues overleaf.
                page.showPage()
                _frame(page, width, height)
                page.setFont(FONT, size)
                y, floor = height - 100, MARGIN + 20
            page.drawString(MARGIN + label_width, y, line)
            y -= size * 1.7
        y -= 10

    page.showPage()
    page.save()
    return buffer.getvalue()
