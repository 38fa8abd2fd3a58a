package io.jobpulse.app.demo;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/**
 * The pretend model's output: a small landscape (sky, sun, hills) whose colours and shapes follow
 * from the prediction id, so that every demo job shows a picture of its own and the same id
 * always shows the same one. Drawn with no fonts, so it works on a headless machine.
 */
public final class DemoPicture {

    public static final int WIDTH = 320;
    public static final int HEIGHT = 240;

    private DemoPicture() {
    }

    public static byte[] png(String id) {
        Random dice = new Random(id.hashCode());
        float hue = dice.nextFloat();
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(0, 0, Color.getHSBColor(hue, 0.55f, 0.95f), 0, HEIGHT * 0.7f,
                Color.getHSBColor((hue + 0.08f) % 1, 0.35f, 1f)));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        float sunX = 60 + dice.nextFloat() * (WIDTH - 120);
        float sunY = 40 + dice.nextFloat() * 50;
        g.setColor(new Color(255, 250, 235, 90));
        g.fill(new Ellipse2D.Float(sunX - 42, sunY - 42, 84, 84));
        g.setColor(new Color(255, 248, 225));
        g.fill(new Ellipse2D.Float(sunX - 26, sunY - 26, 52, 52));
        for (int layer = 0; layer < 3; layer++) {
            float base = HEIGHT * (0.55f + layer * 0.14f);
            Path2D.Float hills = new Path2D.Float();
            hills.moveTo(0, HEIGHT);
            hills.lineTo(0, base);
            float amplitude = 18 + dice.nextFloat() * 22;
            float phase = dice.nextFloat() * 6.3f;
            float wavelength = 70 + dice.nextFloat() * 90;
            for (int x = 0; x <= WIDTH; x += 8) {
                hills.lineTo(x, base - amplitude * (float) Math.sin(phase + x / wavelength));
            }
            hills.lineTo(WIDTH, HEIGHT);
            hills.closePath();
            g.setColor(Color.getHSBColor((hue + 0.45f + layer * 0.03f) % 1, 0.35f + layer * 0.15f, 0.62f - layer * 0.17f));
            g.fill(hills);
        }
        g.setStroke(new BasicStroke(2));
        g.setColor(new Color(255, 255, 255, 60));
        g.drawRect(1, 1, WIDTH - 3, HEIGHT - 3);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
