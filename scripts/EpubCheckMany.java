// Validate many EPUBs in one JVM (EPUBCheck's own CLI checks one file per start-up).
// Build and run through scripts/epubcheck_many.py; prints one line per file, then a total.
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.messages.MessageId;
import com.adobe.epubcheck.api.EPUBLocation;
import com.adobe.epubcheck.api.Report;
import com.adobe.epubcheck.messages.Message;
import com.adobe.epubcheck.util.DefaultReportImpl;
import com.adobe.epubcheck.util.FeatureEnum;
import com.adobe.epubcheck.messages.Severity;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

public class EpubCheckMany {
    static class Collect extends DefaultReportImpl {
        final List<String> problems = new ArrayList<>();
        Collect(String name) { super(name); }
        @Override
        public void message(Message message, EPUBLocation location, Object... args) {
            Severity s = message.getSeverity();
            if (s == Severity.ERROR || s == Severity.FATAL || s == Severity.WARNING) {
                problems.add(s + " " + message.getID() + ": " + message.getMessage(args)
                        + " @ " + location.getPath() + ":" + location.getLine());
            }
        }
        @Override public void info(String resource, FeatureEnum feature, String value) {}
    }

    public static void main(String[] args) {
        int bad = 0;
        for (String path : args) {
            Collect report = new Collect(path);
            new EpubCheck(new File(path), report).doValidate();
            if (report.problems.isEmpty()) {
                System.out.println("OK " + path);
            } else {
                bad++;
                System.out.println("BAD " + path);
                for (String p : report.problems) System.out.println("  " + p);
            }
        }
        System.out.println("checked " + args.length + ", with problems " + bad);
        System.exit(bad == 0 ? 0 : 1);
    }
}
