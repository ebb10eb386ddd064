model = dict(type="EncoderDecoder", backbone=dict(type="HRNet"))
