"""The electronic business licence as a PDF: reportlab with its standard CJK CID font.

STSong-Light is one of the CJK fonts every PDF reader provides, so the file needs no embedded
font and nothing from the system: the Chinese renders wherever the PDF is opened.
"""

import io
from decimal import Decimal

import segno
from reportlab.lib.pagesizes import A4
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


def capital_text(amount: Decimal) -> str:
    """Registered capital as licences print it: in 万元 (ten thousands) of renminbi."""
    wan = (amount / Decimal(10_000)).normalize()
    return f"人民币{wan:f}万元"


def licence_pdf_render(*, licence: Licence) -> bytes:
    width, height = A4
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    page.setTitle(f"营业执照 {licence.name}")
    page.setAuthor(licence.registration_authority)
    page.setStrokeColorRGB(*RED)
    page.setLineWidth(3)
    page.rect(MARGIN / 2, MARGIN / 2, width - MARGIN, height - MARGIN)

    page.setFillColorRGB(*RED)
    page.setFont(FONT, 40)
    page.drawCentredString(width / 2, height - 130, "营业执照")
    page.setFont(FONT, 14)
    page.drawCentredString(width / 2, height - 156, "（电子营业执照）")
    page.setFillColorRGB(0, 0, 0)
    page.setFont(FONT, 11)
    page.drawString(MARGIN, height - 196, f"统一社会信用代码 {licence.credit_code}")
    page.drawRightString(width - MARGIN, height - 196, f"编号 {licence.number}")

    rows = [
        ("名称", licence.name),
        ("类型", licence.entity_type),
        ("法定代表人", licence.legal_representative),
        ("注册资本", capital_text(licence.registered_capital)),
        ("成立日期", licence.established_on),
        ("住所", licence.address),
        ("经营范围", licence.business_scope),
    ]
    y = height - 250
    label_width, text_width = 90, width - 2 * MARGIN - 90
    for label, value in rows:
        page.setFont(FONT, 13)
        page.drawString(MARGIN, y, label)
        lines = simpleSplit(value or "", FONT, 13, text_width) or [""]
        for line in lines:
            page.drawString(MARGIN + label_width, y, line)
            y -= 22
        y -= 10

    qr = io.BytesIO()
    segno.make(licence.verify_url, error="m").save(qr, kind="png", scale=6, border=4)
    qr.seek(0)
    page.drawImage(ImageReader(qr), width - MARGIN - QR_SIZE, 110, QR_SIZE, QR_SIZE)
    page.setFont(FONT, 9)
    page.drawCentredString(width - MARGIN - QR_SIZE / 2, 98, "扫码验证真伪")

    page.setFont(FONT, 13)
    page.drawString(MARGIN, 150, f"登记机关  {licence.registration_authority}")
    page.drawString(MARGIN, 126, f"发照日期  {licence.established_on}")
    page.setFont(FONT, 8)
    page.drawString(MARGIN, 60, "本执照由登记机关以Ed25519数字签名签发，二维码中的令牌可用登记机关公布的公钥离线验证。")
    page.showPage()
    page.save()
    return buffer.getvalue()
