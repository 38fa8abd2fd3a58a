package io.jobpulse.topology;

import io.jobpulse.processors.RejectionReason;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * What the topology does when processing a record throws: it skips the record, writes an
 * {@code unprocessable} rejection naming it, and goes on, instead of failing the stream thread,
 * whose replacement would fail on the same record again and stop every job of its partition. The
 * lifecycle processor decodes, folds and measures before it writes anything, so a failure there has
 * written nothing; a failure after a write (within Kafka Streams itself) could leave the store ahead
 * of the outputs.
 */
public final class UnprocessableRecords implements ProcessingExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(UnprocessableRecords.class);

    private int maxRecordBytes;

    @Override
    public void configure(Map<String, ?> configs) {
        maxRecordBytes = DeadLetters.maxRecordBytes(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        LOG.error("processing the record at {}-{}@{} failed in {}; it is skipped and rejected", context.topic(),
                context.partition(), context.offset(), context.processorNodeId(), exception);
        return Response.resume(List.of(DeadLetters.rejection(context, DeadLetters.bytes(record.key()),
                RejectionReason.UNPROCESSABLE.code(), "Processing this record failed (" + exception.getClass().getSimpleName()
                        + "); it was skipped and changed nothing.", maxRecordBytes)));
    }
}
