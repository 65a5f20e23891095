from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0004_long_term_signoff"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalcontract",
            name="serial_number",
            field=models.CharField(blank=True, db_index=True, max_length=20, null=True, verbose_name="contract number"),
        ),
        migrations.AddField(
            model_name="contract",
            name="serial_number",
            field=models.CharField(blank=True, max_length=20, null=True, unique=True, verbose_name="contract number"),
        ),
    ]
